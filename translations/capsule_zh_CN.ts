<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <source>trainable parameters: n/a (%1)</source>
        <translation>可训练参数：不可用（%1）</translation>
    </message>
    <message>
        <source>trainable %1 of %2 (%3 %)</source>
        <translation>可训练 %1 / %2（%3 %）</translation>
    </message>
    <message>
        <source>the demo model is made on the first Start</source>
        <translation>演示模型会在第一次点击“开始”时生成</translation>
    </message>
    <message>
        <source>no config.json in %1</source>
        <translation>%1 中没有 config.json</translation>
    </message>
    <message>
        <source>option --prompt-tuning-init-text is required with --prompt-tuning-init TEXT</source>
        <translation>使用 --prompt-tuning-init TEXT 时必须提供 --prompt-tuning-init-text 选项</translation>
    </message>
    <message>
        <source>not computable for this model on the meta device (%1)</source>
        <translation>无法在 meta 设备上为此模型计算（%1）</translation>
    </message>
</context>
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
    <message>
        <source>&amp;Load Setup…</source>
        <translation>加载设置(&amp;L)…</translation>
    </message>
    <message>
        <source>Save Setup &amp;As…</source>
        <translation>设置另存为(&amp;A)…</translation>
    </message>
</context>
<context>
    <name>capsule::ui::MethodOptionsForm</name>
    <message>
        <source>r: rank of the update B·A; trainable parameters grow linearly with it</source>
        <translation>r：更新量 B·A 的秩；可训练参数随它线性增长</translation>
    </message>
    <message>
        <source>lora_alpha: the update is scaled by lora_alpha / r (by lora_alpha / √r with rsLoRA)</source>
        <translation>lora_alpha：更新量按 lora_alpha / r 缩放（使用 rsLoRA 时按 lora_alpha / √r）</translation>
    </message>
    <message>
        <source>lora_dropout: dropout probability on the input of the LoRA branch while training</source>
        <translation>lora_dropout：训练时 LoRA 分支输入的 dropout 概率</translation>
    </message>
    <message>
        <source>Rank-stabilised scaling</source>
        <translation>秩稳定缩放</translation>
    </message>
    <message>
        <source>use_rslora: scale by lora_alpha / √r instead of lora_alpha / r, which keeps high ranks stable</source>
        <translation>use_rslora：按 lora_alpha / √r 而不是 lora_alpha / r 缩放，使高秩保持稳定</translation>
    </message>
    <message>
        <source>architecture default</source>
        <translation>架构默认值</translation>
    </message>
    <message>
        <source>target_modules: comma-separated names of the linear layers that get an adapter (c_attn, q_proj, v_proj, …), or all-linear; empty uses PEFT&apos;s default for the architecture</source>
        <translation>target_modules：要添加适配器的线性层名称，用逗号分隔（c_attn、q_proj、v_proj 等），或 all-linear；留空则使用 PEFT 为该架构设定的默认值</translation>
    </message>
    <message>
        <source>r:</source>
        <translation>r:</translation>
    </message>
    <message>
        <source>lora_alpha:</source>
        <translation>lora_alpha:</translation>
    </message>
    <message>
        <source>lora_dropout:</source>
        <translation>lora_dropout:</translation>
    </message>
    <message>
        <source>use_rslora:</source>
        <translation>use_rslora:</translation>
    </message>
    <message>
        <source>target_modules:</source>
        <translation>target_modules:</translation>
    </message>
    <message>
        <source>init_r: the rank every adapted layer starts with</source>
        <translation>init_r：每个被适配层的初始秩</translation>
    </message>
    <message>
        <source>target_r: the average rank per layer left after pruning; the total budget is target_r × the number of adapted layers</source>
        <translation>target_r：剪枝后每层保留的平均秩；总预算为 target_r × 被适配层的数量</translation>
    </message>
    <message>
        <source>tinit: steps of warm-up at init_r before ranks start being pruned</source>
        <translation>tinit：开始剪枝之前以 init_r 预热的步数</translation>
    </message>
    <message>
        <source>tfinal: steps at the end trained with the final allocation fixed</source>
        <translation>tfinal：最后以固定的最终分配继续训练的步数</translation>
    </message>
    <message>
        <source>deltaT: steps between two rank reallocations during the pruning phase</source>
        <translation>deltaT：剪枝阶段两次秩重新分配之间的步数</translation>
    </message>
    <message>
        <source>beta1: EMA factor of the sensitivity (importance) smoothing</source>
        <translation>beta1：敏感度（重要性）平滑的 EMA 系数</translation>
    </message>
    <message>
        <source>beta2: EMA factor of the uncertainty smoothing</source>
        <translation>beta2：不确定性平滑的 EMA 系数</translation>
    </message>
    <message>
        <source>orth_reg_weight: weight of the penalty keeping P and Q orthogonal</source>
        <translation>orth_reg_weight：保持 P 和 Q 正交的惩罚项权重</translation>
    </message>
    <message>
        <source>lora_alpha: the update is scaled by lora_alpha / init_r, fixed during pruning</source>
        <translation>lora_alpha：更新量按 lora_alpha / init_r 缩放，剪枝期间保持不变</translation>
    </message>
    <message>
        <source>lora_dropout: dropout probability on the input of the adapter branch while training</source>
        <translation>lora_dropout：训练时适配器分支输入的 dropout 概率</translation>
    </message>
    <message>
        <source>target_modules: comma-separated names of the linear layers whose ranks are allocated; empty uses PEFT&apos;s default for the architecture</source>
        <translation>target_modules：参与秩分配的线性层名称，用逗号分隔；留空则使用 PEFT 为该架构设定的默认值</translation>
    </message>
    <message>
        <source>init_r:</source>
        <translation>init_r:</translation>
    </message>
    <message>
        <source>target_r:</source>
        <translation>target_r:</translation>
    </message>
    <message>
        <source>tinit:</source>
        <translation>tinit:</translation>
    </message>
    <message>
        <source>tfinal:</source>
        <translation>tfinal:</translation>
    </message>
    <message>
        <source>deltaT:</source>
        <translation>deltaT:</translation>
    </message>
    <message>
        <source>beta1:</source>
        <translation>beta1:</translation>
    </message>
    <message>
        <source>beta2:</source>
        <translation>beta2:</translation>
    </message>
    <message>
        <source>orth_reg_weight:</source>
        <translation>orth_reg_weight:</translation>
    </message>
    <message>
        <source>feedforward_modules: comma-separated layers whose input (not output) is rescaled, usually the MLP&apos;s down projection; empty uses PEFT&apos;s default for the architecture</source>
        <translation>feedforward_modules：对输入（而非输出）进行缩放的层，用逗号分隔，通常是 MLP 的下投影；留空则使用 PEFT 为该架构设定的默认值</translation>
    </message>
    <message>
        <source>feedforward_modules:</source>
        <translation>feedforward_modules:</translation>
    </message>
    <message>
        <source>mc_loss: weight of the multiple-choice cross-entropy over the answer choices</source>
        <translation>mc_loss：针对答案选项的多项选择交叉熵的权重</translation>
    </message>
    <message>
        <source>unlikely_loss: weight of the unlikelihood loss pushing down the wrong choices</source>
        <translation>unlikely_loss：压低错误选项的非似然损失的权重</translation>
    </message>
    <message>
        <source>length_norm: weight of the length-normalised loss that compares choices per token</source>
        <translation>length_norm：按词元比较选项的长度归一化损失的权重</translation>
    </message>
    <message>
        <source>mc_loss:</source>
        <translation>mc_loss:</translation>
    </message>
    <message>
        <source>unlikely_loss:</source>
        <translation>unlikely_loss:</translation>
    </message>
    <message>
        <source>length_norm:</source>
        <translation>length_norm:</translation>
    </message>
    <message>
        <source>num_virtual_tokens: trainable embeddings prepended to every input</source>
        <translation>num_virtual_tokens：添加在每个输入前面的可训练嵌入数量</translation>
    </message>
    <message>
        <source>prompt_tuning_init: start from random vectors, from embeddings of random vocabulary tokens, or from the embeddings of a text</source>
        <translation>prompt_tuning_init：从随机向量、随机词表词元的嵌入或一段文本的嵌入开始</translation>
    </message>
    <message>
        <source>only with TEXT</source>
        <translation>仅用于 TEXT</translation>
    </message>
    <message>
        <source>prompt_tuning_init_text: the text whose token embeddings initialise the virtual tokens (repeated or cut to num_virtual_tokens)</source>
        <translation>prompt_tuning_init_text：用其词元嵌入初始化虚拟词元的文本（按 num_virtual_tokens 重复或截断）</translation>
    </message>
    <message>
        <source>num_virtual_tokens:</source>
        <translation>num_virtual_tokens:</translation>
    </message>
    <message>
        <source>prompt_tuning_init:</source>
        <translation>prompt_tuning_init:</translation>
    </message>
    <message>
        <source>prompt_tuning_init_text:</source>
        <translation>prompt_tuning_init_text:</translation>
    </message>
    <message>
        <source>num_virtual_tokens: key/value positions prepended in every attention layer</source>
        <translation>num_virtual_tokens：在每个注意力层前添加的键/值位置数量</translation>
    </message>
    <message>
        <source>Reparameterise through an MLP</source>
        <translation>通过 MLP 重参数化</translation>
    </message>
    <message>
        <source>prefix_projection: produce the prefixes with a two-layer MLP (more parameters while training, often more stable)</source>
        <translation>prefix_projection：用两层 MLP 生成前缀（训练时参数更多，通常更稳定）</translation>
    </message>
    <message>
        <source>encoder_hidden_size: hidden width of the projection MLP; 0 = the model&apos;s hidden size</source>
        <translation>encoder_hidden_size：投影 MLP 的隐藏宽度；0 = 模型的隐藏维度</translation>
    </message>
    <message>
        <source>model hidden size</source>
        <translation>模型隐藏维度</translation>
    </message>
    <message>
        <source>prefix_projection:</source>
        <translation>prefix_projection:</translation>
    </message>
    <message>
        <source>encoder_hidden_size:</source>
        <translation>encoder_hidden_size:</translation>
    </message>
    <message>
        <source>num_virtual_tokens: virtual tokens produced by the prompt encoder</source>
        <translation>num_virtual_tokens：提示编码器生成的虚拟词元数量</translation>
    </message>
    <message>
        <source>encoder_reparameterization_type: the prompt encoder, an MLP or a bidirectional LSTM followed by an MLP</source>
        <translation>encoder_reparameterization_type：提示编码器，MLP 或双向 LSTM 加 MLP</translation>
    </message>
    <message>
        <source>encoder_hidden_size: hidden width of the prompt encoder; 0 = the model&apos;s hidden size</source>
        <translation>encoder_hidden_size：提示编码器的隐藏宽度；0 = 模型的隐藏维度</translation>
    </message>
    <message>
        <source>encoder_reparameterization_type:</source>
        <translation>encoder_reparameterization_type:</translation>
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
    <message>
        <source>Start Training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <source>Start training with this setup</source>
        <translation>使用此设置开始训练</translation>
    </message>
    <message>
        <source>trainable parameters: counting…</source>
        <translation>可训练参数：计算中…</translation>
    </message>
    <message>
        <source>AdaLoRA: target_r (%1) must not exceed init_r (%2).</source>
        <translation>AdaLoRA：target_r（%1）不能超过 init_r（%2）。</translation>
    </message>
    <message>
        <source>AdaLoRA: tinit + tfinal (%1) must be less than max steps (%2), or no step is left for allocating ranks.</source>
        <translation>AdaLoRA：tinit + tfinal（%1）必须小于最大步数（%2），否则没有用于分配秩的步骤。</translation>
    </message>
    <message>
        <source>Prompt tuning: prompt_tuning_init TEXT needs a prompt_tuning_init_text.</source>
        <translation>提示调优：prompt_tuning_init 为 TEXT 时需要 prompt_tuning_init_text。</translation>
    </message>
    <message>
        <source>Exactly what the trainer will train: the method applied to the model&apos;s skeleton (shapes only, no weights loaded), counted as PEFT&apos;s print_trainable_parameters()</source>
        <translation>训练器实际会训练的参数：将方法应用到模型骨架上（只有形状，不加载权重），按 PEFT 的 print_trainable_parameters() 方式计数</translation>
    </message>
    <message>
        <source>by epochs</source>
        <translation>按轮次</translation>
    </message>
    <message>
        <source>Save Setup…</source>
        <translation>保存设置…</translation>
    </message>
    <message>
        <source>Save the whole setup as a JSON config file (the one `capsule-cli train --config` reads)</source>
        <translation>将整个设置保存为 JSON 配置文件（即 `capsule-cli train --config` 读取的文件）</translation>
    </message>
    <message>
        <source>Load Setup…</source>
        <translation>加载设置…</translation>
    </message>
    <message>
        <source>Load a JSON training config file, saved here or written for capsule-cli</source>
        <translation>加载 JSON 训练配置文件（在此保存的或为 capsule-cli 编写的）</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Save setup</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <source>Training config (*.json);;All files (*)</source>
        <translation>训练配置 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot save the setup</source>
        <translation>无法保存设置</translation>
    </message>
    <message>
        <source>Load setup</source>
        <translation>加载设置</translation>
    </message>
    <message>
        <source>Cannot load the setup</source>
        <translation>无法加载设置</translation>
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
