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
        <source>step %v / %m</source>
        <translation>第 %v / %m 步</translation>
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
    <message>
        <source>No run in progress</source>
        <translation>当前没有运行中的训练</translation>
    </message>
    <message>
        <source>Charts fill in live as soon as a run starts: choose the setup, then press Start.</source>
        <translation>训练开始后图表会实时更新：选择设置，然后点击“开始”。</translation>
    </message>
    <message>
        <source>raw</source>
        <translation>原始</translation>
    </message>
    <message>
        <source>smoothed</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>eval</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>spike</source>
        <translation>尖峰</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>eval loss</source>
        <translation>评估损失</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>准确率 (%)</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>L2 norm (before clipping)</source>
        <translation>L2 范数（裁剪前）</translation>
    </message>
    <message>
        <source>Throughput and memory</source>
        <translation>吞吐量与内存</translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>memory (MiB RSS)</source>
        <translation>内存（MiB RSS）</translation>
    </message>
    <message>
        <source>memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>AdaLoRA budget</source>
        <translation>AdaLoRA 预算</translation>
    </message>
    <message>
        <source>total rank</source>
        <translation>总秩</translation>
    </message>
    <message>
        <source>scheduled</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Follow latest</source>
        <translation>跟随最新</translation>
    </message>
    <message>
        <source>Keep the newest steps in view. Dragging or zooming a chart turns this off; double-click a chart to turn it back on.</source>
        <translation>保持最新的步骤在视图中。拖动或缩放图表会关闭此选项；双击图表可重新打开。</translation>
    </message>
    <message>
        <source>Log scale (loss)</source>
        <translation>对数刻度（损失）</translation>
    </message>
    <message>
        <source>Show the loss axes on a logarithmic scale</source>
        <translation>以对数刻度显示损失坐标轴</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <source>Weight of the exponential moving average drawn over the raw loss (0 = none)</source>
        <translation>叠加在原始损失上的指数移动平均的权重（0 = 不平滑）</translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation>X 轴：</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Label the charts&apos; horizontal axis in optimizer steps or in epochs</source>
        <translation>图表横轴以优化器步数或轮次标注</translation>
    </message>
    <message>
        <source>Reset View</source>
        <translation>重置视图</translation>
    </message>
    <message>
        <source>Show every point and follow the newest again</source>
        <translation>显示所有数据点并重新跟随最新数据</translation>
    </message>
    <message>
        <source>Training run</source>
        <translation>训练运行</translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>tinit</source>
        <translation>tinit</translation>
    </message>
    <message>
        <source>tfinal</source>
        <translation>tfinal</translation>
    </message>
    <message>
        <source>Step %1 / %2</source>
        <translation>第 %1 / %2 步</translation>
    </message>
    <message>
        <source>epoch %1</source>
        <translation>轮次 %1</translation>
    </message>
    <message>
        <source>elapsed %1</source>
        <translation>已用 %1</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>Loading the model and the data…</source>
        <translation>正在加载模型和数据…</translation>
    </message>
    <message>
        <source>eval loss %1</source>
        <translation>评估损失 %1</translation>
    </message>
    <message>
        <source>, accuracy %1 %</source>
        <translation>，准确率 %1 %</translation>
    </message>
    <message>
        <source>%1 trainable parameters (%2 %)</source>
        <translation>%1 个可训练参数（%2 %）</translation>
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
    <message>
        <source>Training on %1 (%2): %3 steps, %4 training and %5 validation examples.</source>
        <translation>在 %1（%2）上训练：%3 步，%4 个训练样本和 %5 个验证样本。</translation>
    </message>
    <message>
        <source>Evaluation at step %1: loss %2</source>
        <translation>第 %1 步评估：损失 %2</translation>
    </message>
    <message>
        <source>, accuracy %1 %</source>
        <translation>，准确率 %1 %</translation>
    </message>
    <message>
        <source> (best so far)</source>
        <translation>（目前最佳）</translation>
    </message>
    <message>
        <source>Cannot start: %1</source>
        <translation>无法开始：%1</translation>
    </message>
    <message>
        <source>Cannot start training</source>
        <translation>无法开始训练</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 on the built-in demo</source>
        <translation>%1（内置演示）</translation>
    </message>
    <message>
        <source>Starting %1; output in %2</source>
        <translation>正在启动 %1；输出位于 %2</translation>
    </message>
    <message>
        <source>Stopping after the current step…</source>
        <translation>将在当前步骤结束后停止…</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <source>Continue the paused training</source>
        <translation>继续已暂停的训练</translation>
    </message>
    <message>
        <source>Preparing the run…</source>
        <translation>正在准备运行…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>已暂停。</translation>
    </message>
    <message>
        <source>Training failed: %1</source>
        <translation>训练失败：%1</translation>
    </message>
    <message>
        <source>Finished (%1). Adapter saved in %2</source>
        <translation>已完成（%1）。适配器已保存到 %2</translation>
    </message>
    <message>
        <source>Training finished</source>
        <translation>训练完成</translation>
    </message>
    <message>
        <source>Stopped (%1). Checkpoint and adapter saved in %2</source>
        <translation>已停止（%1）。检查点和适配器已保存到 %2</translation>
    </message>
    <message>
        <source>Training stopped</source>
        <translation>训练已停止</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>Training in progress</source>
        <translation>训练进行中</translation>
    </message>
    <message>
        <source>A training run is in progress. Stop it and quit?

It stops after the current step and keeps a checkpoint you can resume from.</source>
        <translation>有训练正在进行。要停止并退出吗？

训练会在当前步骤结束后停止，并保留一个可用于继续训练的检查点。</translation>
    </message>
    <message>
        <source>Stopping the training…</source>
        <translation>正在停止训练…</translation>
    </message>
</context>
<context>
    <name>capsule::ui::RankHeatmap</name>
    <message>
        <source>AdaLoRA rank per layer × module</source>
        <translation>AdaLoRA 各层 × 模块的秩</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>rank</source>
        <translation>秩</translation>
    </message>
    <message>
        <source>Ranks appear with the first AdaLoRA step</source>
        <translation>秩会在 AdaLoRA 的第一步后显示</translation>
    </message>
    <message>
        <source>rank %1 of %2 (step %3)</source>
        <translation>秩 %1 / %2（第 %3 步）</translation>
    </message>
    <message>
        <source>importance (kept in bold): %1</source>
        <translation>重要性（保留的以粗体显示）：%1</translation>
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
        <translation>训练中</translation>
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
    <message>
        <source>method default</source>
        <translation>方法默认值</translation>
    </message>
    <message>
        <source>Peak learning rate of the schedule; &quot;method default&quot; picks the usual value for the method (2e-4 for LoRA, 3e-3 for (IA)³, 3e-2 for prompt methods; the demo uses its own)</source>
        <translation>学习率调度的峰值；“方法默认值”会为该方法选择常用值（LoRA 为 2e-4，(IA)³ 为 3e-3，提示类方法为 3e-2；演示使用自己的设置）</translation>
    </message>
    <message>
        <source>Each run gets its own folder in here (method and time) with its checkpoints and adapter</source>
        <translation>每次运行都会在这里获得自己的文件夹（方法和时间），其中包含检查点和适配器</translation>
    </message>
    <message>
        <source>Built-in demo</source>
        <translation>内置演示</translation>
    </message>
    <message>
        <source>A tiny GPT-2-shaped model shipped with Capsule and a two-choice sentiment task: trains in seconds on any CPU, no downloads</source>
        <translation>Capsule 自带的微型 GPT-2 结构模型和一个二选一情感任务：在任何 CPU 上几秒即可训练完成，无需下载</translation>
    </message>
    <message>
        <source>tiny</source>
        <translation>微型</translation>
    </message>
    <message>
        <source>&lt; 1 MB</source>
        <translation>&lt; 1 MB</translation>
    </message>
    <message>
        <source>Built-in demo dataset (sentiment, 640 rows), or choose a file</source>
        <translation>内置演示数据集（情感，640 行），或选择一个文件</translation>
    </message>
    <message>
        <source>Choose a model in the Model list.</source>
        <translation>请在模型列表中选择一个模型。</translation>
    </message>
    <message>
        <source>Choose a dataset file (Dataset › Browse…).</source>
        <translation>请选择数据集文件（数据集 › 浏览…）。</translation>
    </message>
    <message>
        <source>The dataset file %1 does not exist.</source>
        <translation>数据集文件 %1 不存在。</translation>
    </message>
    <message>
        <source>Choose an output folder (Training › Output folder).</source>
        <translation>请选择输出文件夹（训练 › 输出文件夹）。</translation>
    </message>
    <message>
        <source>The model folder %1 has no config.json.</source>
        <translation>模型文件夹 %1 中没有 config.json。</translation>
    </message>
</context>
<context>
    <name>capsule::ui::TrainingController</name>
    <message>
        <source>Preparing the built-in demo in %1</source>
        <translation>正在 %1 中准备内置演示</translation>
    </message>
    <message>
        <source>This run is not recorded in the history: %1</source>
        <translation>此次运行未记录到历史中：%1</translation>
    </message>
    <message>
        <source>training stopped by an unknown error</source>
        <translation>训练因未知错误而停止</translation>
    </message>
</context>
<context>
    <name>capsule::ui::charts</name>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
</context>
</TS>
