<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>capsule::ui::AboutDialog</name>
    <message>
        <source>About Capsule</source>
        <translation>关于 Capsule</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Capsule %1&lt;/h2&gt;&lt;p&gt;A native studio for parameter-efficient fine-tuning of language models:&lt;br&gt;LoRA, AdaLoRA, (IA)³, prompt tuning, prefix tuning and P-tuning.&lt;/p&gt;&lt;p&gt;Qt %2 · LibTorch %3&lt;br&gt;Device: %4&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Capsule %1&lt;/h2&gt;&lt;p&gt;原生的语言模型参数高效微调工作室：&lt;br&gt;LoRA、AdaLoRA、(IA)³、提示调优、前缀调优和 P-tuning。&lt;/p&gt;&lt;p&gt;Qt %2 · LibTorch %3&lt;br&gt;设备：%4&lt;/p&gt;&lt;p&gt;按 GNU 通用公共许可证第 3 版或更高版本授权。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>capsule::ui::DashboardPage</name>
    <message>
        <source>&lt;h2&gt;No run in progress&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;当前没有运行中的训练&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>step %v / %m</source>
        <translation>第 %v / %m 步</translation>
    </message>
    <message>
        <source>Charts fill in live as soon as a run starts: press Start on the Setup page.</source>
        <translation>训练开始后图表会实时更新：请在“设置”页面点击“开始”。</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
</context>
<context>
    <name>capsule::ui::HistoryPage</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Best eval</source>
        <translation>最佳评估</translation>
    </message>
    <message>
        <source>Trainable params</source>
        <translation>可训练参数</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Run history&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;运行历史&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>No runs yet. Finished, failed and interrupted runs are listed here and survive restarts.</source>
        <translation>还没有运行记录。已完成、失败和中断的运行都会列在这里，重启后仍然保留。</translation>
    </message>
</context>
<context>
    <name>capsule::ui::LogView</name>
    <message>
        <source>Messages from the training engine appear here.</source>
        <translation>训练引擎的消息显示在这里。</translation>
    </message>
    <message>
        <source>warning: </source>
        <translation>警告：</translation>
    </message>
    <message>
        <source>error: </source>
        <translation>错误：</translation>
    </message>
</context>
<context>
    <name>capsule::ui::MainWindow</name>
    <message>
        <source>Setup</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表板</translation>
    </message>
    <message>
        <source>Capsule — fine-tuning studio</source>
        <translation>Capsule — 微调工作室</translation>
    </message>
    <message>
        <source>Choose the model, dataset, method and training settings</source>
        <translation>选择模型、数据集、方法和训练参数</translation>
    </message>
    <message>
        <source>Live charts of the running training</source>
        <translation>正在进行的训练的实时图表</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Every run, kept across restarts</source>
        <translation>所有运行记录，重启后仍然保留</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Show &amp;Log</source>
        <translation>显示日志(&amp;L)</translation>
    </message>
    <message>
        <source>Capsule %1 started on %2 (LibTorch %3, Qt %4).</source>
        <translation>Capsule %1 已在 %2 上启动（LibTorch %3，Qt %4）。</translation>
    </message>
    <message>
        <source>Add &amp;Model Folder…</source>
        <translation>添加模型文件夹(&amp;M)…</translation>
    </message>
    <message>
        <source>Add a Hugging Face model folder to the model list</source>
        <translation>将 Hugging Face 模型文件夹添加到模型列表</translation>
    </message>
    <message>
        <source>Open &amp;Dataset…</source>
        <translation>打开数据集(&amp;D)…</translation>
    </message>
    <message>
        <source>Choose the dataset file to train on</source>
        <translation>选择用于训练的数据集文件</translation>
    </message>
    <message>
        <source>&amp;Start Training</source>
        <translation>开始训练(&amp;S)</translation>
    </message>
    <message>
        <source>Start training with the current setup</source>
        <translation>使用当前设置开始训练</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Pause the running training after the current step</source>
        <translation>在当前步骤结束后暂停训练</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop the running training and keep its last checkpoint</source>
        <translation>停止训练并保留最后一个检查点</translation>
    </message>
    <message>
        <source> (the training engine is not part of this build yet)</source>
        <translation>（此版本尚未包含训练引擎）</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;About Capsule</source>
        <translation>关于 Capsule(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Setup</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>仪表板(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>历史(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Training</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>LibTorch %1 · Qt %2 · BLAS %3</source>
        <translation>LibTorch %1 · Qt %2 · BLAS %3</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The new language takes effect when Capsule is restarted.</source>
        <translation>新语言将在重新启动 Capsule 后生效。</translation>
    </message>
</context>
<context>
    <name>capsule::ui::RuntimeController</name>
    <message>
        <source>LibTorch is using the reference BLAS: training on the CPU will be about 10x slower. Install the package libopenblas0-openmp.</source>
        <translation>LibTorch 正在使用参考 BLAS：CPU 训练将慢约 10 倍。请安装 libopenblas0-openmp 软件包。</translation>
    </message>
</context>
<context>
    <name>capsule::ui::SetupPage</name>
    <message>
        <source>&lt;h2&gt;New training run&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;新建训练&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>Pick a base model from disk, a dataset file and a PEFT method, then press Start.</source>
        <translation>从磁盘选择基础模型、数据集文件和 PEFT 方法，然后点击“开始”。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Dtype</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation>磁盘大小</translation>
    </message>
    <message>
        <source>Models found in your Hugging Face cache and in folders you added</source>
        <translation>在 Hugging Face 缓存和你添加的文件夹中找到的模型</translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Add a Hugging Face model folder (config.json + safetensors)</source>
        <translation>添加 Hugging Face 模型文件夹（config.json + safetensors）</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>JSONL, JSON, CSV/TSV or TXT file</source>
        <translation>JSONL、JSON、CSV/TSV 或 TXT 文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Low-rank update B·A added to the chosen linear layers.</source>
        <translation>在所选线性层上加入低秩更新 B·A。</translation>
    </message>
    <message>
        <source>AdaLoRA</source>
        <translation>AdaLoRA</translation>
    </message>
    <message>
        <source>LoRA in SVD form whose ranks are reallocated during training to the layers that matter.</source>
        <translation>SVD 形式的 LoRA，训练过程中将秩重新分配给更重要的层。</translation>
    </message>
    <message>
        <source>(IA)³</source>
        <translation>(IA)³</translation>
    </message>
    <message>
        <source>Learned vectors that rescale attention keys/values and feed-forward activations.</source>
        <translation>学习到的向量，用于缩放注意力的键/值以及前馈层激活。</translation>
    </message>
    <message>
        <source>Prompt tuning</source>
        <translation>提示调优</translation>
    </message>
    <message>
        <source>Trainable virtual tokens prepended to the input embeddings.</source>
        <translation>在输入嵌入前添加可训练的虚拟词元。</translation>
    </message>
    <message>
        <source>Prefix tuning</source>
        <translation>前缀调优</translation>
    </message>
    <message>
        <source>Trainable key/value prefixes in every attention layer.</source>
        <translation>在每个注意力层中加入可训练的键/值前缀。</translation>
    </message>
    <message>
        <source>P-tuning</source>
        <translation>P-tuning</translation>
    </message>
    <message>
        <source>Virtual tokens produced by a small MLP or LSTM prompt encoder.</source>
        <translation>由小型 MLP 或 LSTM 提示编码器生成的虚拟词元。</translation>
    </message>
    <message>
        <source>T-Few</source>
        <translation>T-Few</translation>
    </message>
    <message>
        <source>(IA)³ plus unlikelihood and length-normalised losses for multiple-choice data.</source>
        <translation>(IA)³ 加上用于多项选择数据的非似然损失和长度归一化损失。</translation>
    </message>
    <message>
        <source>PEFT method:</source>
        <translation>PEFT 方法：</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Number of optimizer steps</source>
        <translation>优化器步数</translation>
    </message>
    <message>
        <source>Examples per optimizer step</source>
        <translation>每个优化器步骤的样本数</translation>
    </message>
    <message>
        <source>Longer examples are truncated to this many tokens</source>
        <translation>更长的样本会被截断到这么多词元</translation>
    </message>
    <message>
        <source>Peak learning rate of the schedule</source>
        <translation>学习率调度的峰值</translation>
    </message>
    <message>
        <source>Folder that receives checkpoints and the exported adapter</source>
        <translation>保存检查点和导出适配器的文件夹</translation>
    </message>
    <message>
        <source>Max steps:</source>
        <translation>最大步数：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>Max length:</source>
        <translation>最大长度：</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>Add a model folder</source>
        <translation>添加模型文件夹</translation>
    </message>
    <message>
        <source>Choose a dataset</source>
        <translation>选择数据集</translation>
    </message>
    <message>
        <source>Datasets (*.jsonl *.json *.csv *.tsv *.txt);;All files (*)</source>
        <translation>数据集 (*.jsonl *.json *.csv *.tsv *.txt);;所有文件 (*)</translation>
    </message>
</context>
</TS>
