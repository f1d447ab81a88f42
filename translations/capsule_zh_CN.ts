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
    <message>
        <source>No dataset file chosen.</source>
        <translation>未选择数据集文件。</translation>
    </message>
    <message>
        <source>%1: no such file</source>
        <translation>%1：文件不存在</translation>
    </message>
    <message>
        <source>The demo model is made on the first Start; its tokenizer is needed to preview %1.</source>
        <translation>演示模型会在第一次点击“开始”时生成；预览 %1 需要它的分词器。</translation>
    </message>
    <message>
        <source>Choose a model: its tokenizer is needed to preview %1.</source>
        <translation>请选择一个模型：预览 %1 需要它的分词器。</translation>
    </message>
    <message>
        <source>not used: %1 data is tokenized as written</source>
        <translation>未使用：%1 数据按原样分词</translation>
    </message>
    <message>
        <source>%1: cannot be read</source>
        <translation>%1：无法读取</translation>
    </message>
    <message>
        <source>%1 · %2 layers · hidden %3 · %4 heads · vocab %5 · context %6</source>
        <translation>%1 · %2 层 · 隐藏维度 %3 · %4 个注意力头 · 词表 %5 · 上下文 %6</translation>
    </message>
    <message>
        <source>≈ %1 on %2 (%3): weights %4 · adapter + AdamW %5 · activations %6 · logits %7</source>
        <translation>≈ %1（%2，%3）：权重 %4 · 适配器 + AdamW %5 · 激活值 %6 · logits %7</translation>
    </message>
    <message>
        <source> — more than this machine&apos;s %1 of RAM: lower the batch size or max length</source>
        <translation> — 超过本机的 %1 内存：请减小批大小或最大长度</translation>
    </message>
    <message>
        <source>device %1 asked for, but LibTorch sees no CUDA GPU here; choose CPU or auto</source>
        <translation>请求了设备 %1，但 LibTorch 在此未检测到 CUDA GPU；请选择 CPU 或“自动”</translation>
    </message>
</context>
<context>
    <name>capsule::ui</name>
    <message>
        <source>reached max steps %1</source>
        <translation>已达到最大步数 %1</translation>
    </message>
    <message>
        <source>early stopping: no improvement of %1 in %2 evaluations</source>
        <translation>提前停止：%1 在 %2 次评估中没有提升</translation>
    </message>
    <message>
        <source>cancelled at step %1</source>
        <translation>在第 %1 步取消</translation>
    </message>
    <message>
        <source>the loss became %1 at step %2: lower the learning rate or the gradient clipping norm, or compute in float32</source>
        <translation>第 %2 步损失变为 %1：请降低学习率或梯度裁剪阈值，或用 float32 计算</translation>
    </message>
    <message>
        <source>; the last good checkpoint is %1</source>
        <translation>；最后一个正常的检查点是 %1</translation>
    </message>
    <message>
        <source>out of memory at step %1 with batch size %2 and max length %3: lower the batch size (gradient accumulation keeps the effective batch) or the max length</source>
        <translation>第 %1 步内存不足（批大小 %2，最大长度 %3）：请减小批大小（梯度累积可保持有效批大小）或最大长度</translation>
    </message>
    <message>
        <source>keeping the best adapter by %1 (step %2)</source>
        <translation>按 %1 保留最佳适配器（第 %2 步）</translation>
    </message>
    <message>
        <source>wrote %1 at step %2: %3</source>
        <translation>已写入 %1（第 %2 步）：%3</translation>
    </message>
    <message>
        <source>trainable params: %1 || all params: %2 || trainable%: %3</source>
        <translation>可训练参数：%1 || 全部参数：%2 || 可训练占比%：%3</translation>
    </message>
    <message>
        <source>rows %1, valid %2, skipped %3, truncated %4; train %5 examples (%6 rows), validation %7</source>
        <translation>共 %1 行，有效 %2，跳过 %3，截断 %4；训练 %5 个样例（%6 行），验证 %7 个</translation>
    </message>
    <message>
        <source>tokens per example: min %1, mean %2, median %3, p95 %4, max %5</source>
        <translation>每个样例的词元数：最少 %1，平均 %2，中位数 %3，p95 %4，最多 %5</translation>
    </message>
    <message>
        <source>CPU (%1 threads, bf16)</source>
        <translation>CPU（%1 个线程，bf16）</translation>
    </message>
    <message>
        <source>CPU (%1 threads)</source>
        <translation>CPU（%1 个线程）</translation>
    </message>
    <message>
        <source>the gradients overflow at step %1 even with the loss scaled by %2: compute in bfloat16 or float32, or lower the learning rate</source>
        <translation>第 %1 步即使将损失缩放为 %2，梯度仍然溢出：请改用 bfloat16 或 float32 计算，或降低学习率</translation>
    </message>
    <message>
        <source>step %1: the gradients overflowed at loss scale %2; step skipped, scale lowered to %3</source>
        <translation>第 %1 步：损失缩放为 %2 时梯度溢出；已跳过此步，缩放降至 %3</translation>
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
    <name>capsule::ui::CheckpointDialog</name>
    <message>
        <source>accuracy %1 %</source>
        <translation>准确率 %1 %</translation>
    </message>
    <message>
        <source>loss %1</source>
        <translation>损失 %1</translation>
    </message>
    <message>
        <source>Resume “%1”</source>
        <translation>恢复“%1”</translation>
    </message>
    <message>
        <source>Extend “%1”</source>
        <translation>追加训练“%1”</translation>
    </message>
    <message>
        <source>Continue the run from one of its checkpoints, with the same settings. Steps after the checkpoint are trained again.</source>
        <translation>使用相同的设置，从某个检查点继续这次运行。检查点之后的步骤会重新训练。</translation>
    </message>
    <message>
        <source>Train the finished run for more steps with the same settings, starting from one of its checkpoints.</source>
        <translation>使用相同的设置，从某个检查点开始，将已完成的运行再多训练一些步数。</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Best so far</source>
        <translation>目前最佳</translation>
    </message>
    <message>
        <source>Written</source>
        <translation>写入时间</translation>
    </message>
    <message>
        <source>, accuracy %1 %</source>
        <translation>，准确率 %1 %</translation>
    </message>
    <message>
        <source> (step %1)</source>
        <translation>（第 %1 步）</translation>
    </message>
    <message>
        <source>not evaluated yet</source>
        <translation>尚未评估</translation>
    </message>
    <message>
        <source>%1 at step %2</source>
        <translation>%1（第 %2 步）</translation>
    </message>
    <message>
        <source>at the end of the step budget: use Extend… to train further</source>
        <translation>已达到步数预算：请用“追加训练…”继续训练</translation>
    </message>
    <message>
        <source>Optimizer steps to train beyond the run&apos;s current budget</source>
        <translation>在此运行当前预算之外再训练的优化器步数</translation>
    </message>
    <message>
        <source>More steps:</source>
        <translation>追加步数：</translation>
    </message>
    <message>
        <source>New step budget:</source>
        <translation>新的步数预算：</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Extend</source>
        <translation>追加训练</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ChoiceScoreModel</name>
    <message>
        <source>The base model&apos;s answer</source>
        <translation>基础模型的答案</translation>
    </message>
    <message>
        <source>The adapter&apos;s answer</source>
        <translation>适配器的答案</translation>
    </message>
    <message>
        <source>Choice</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Base log-lik.</source>
        <translation>基础对数似然</translation>
    </message>
    <message>
        <source>Base prob.</source>
        <translation>基础概率</translation>
    </message>
    <message>
        <source>Adapter log-lik.</source>
        <translation>适配器对数似然</translation>
    </message>
    <message>
        <source>Adapter prob.</source>
        <translation>适配器概率</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ComparePage</name>
    <message>
        <source>Train loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>评估损失</translation>
    </message>
    <message>
        <source>Eval accuracy</source>
        <translation>评估准确率</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>&lt;b&gt;Runs&lt;/b&gt;</source>
        <translation>&lt;b&gt;运行&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Tick the runs to compare</source>
        <translation>勾选要对比的运行</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Read the run list again from the run store</source>
        <translation>从运行存储中重新读取运行列表</translation>
    </message>
    <message>
        <source>C&amp;lear Ticks</source>
        <translation>清除勾选(&amp;L)</translation>
    </message>
    <message>
        <source>Untick every run</source>
        <translation>取消勾选所有运行</translation>
    </message>
    <message>
        <source>Compare &amp;Methods…</source>
        <translation>对比方法(&amp;M)…</translation>
    </message>
    <message>
        <source>Train the setup&apos;s model and dataset with several methods, one after another, and compare the runs</source>
        <translation>用多种方法依次训练当前设置中的模型和数据集，并对比这些运行</translation>
    </message>
    <message>
        <source>&amp;Metric:</source>
        <translation>指标(&amp;M)：</translation>
    </message>
    <message>
        <source>The curve overlaid for every ticked run</source>
        <translation>为每个勾选的运行叠加绘制的曲线</translation>
    </message>
    <message>
        <source>Export &amp;PNG…</source>
        <translation>导出 PNG(&amp;P)…</translation>
    </message>
    <message>
        <source>Save the overlay and the scatter as one PNG image</source>
        <translation>将叠加曲线图和散点图保存为一张 PNG 图片</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Save one row per run, and every curve point in a second file</source>
        <translation>每个运行保存为一行，所有曲线数据点保存到第二个文件</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Drag to pan, wheel to zoom</source>
        <translation>拖动以平移，滚轮以缩放</translation>
    </message>
    <message>
        <source>Best eval vs trainable parameters</source>
        <translation>最佳评估结果与可训练参数的关系</translation>
    </message>
    <message>
        <source>best eval accuracy</source>
        <translation>最佳评估准确率</translation>
    </message>
    <message>
        <source>trainable parameters (log scale)</source>
        <translation>可训练参数（对数刻度）</translation>
    </message>
    <message>
        <source>One point per run, labelled with its method: how much each method gets out of how few trainable parameters</source>
        <translation>每个运行一个点，标注其方法：显示每种方法用多少可训练参数取得多好的效果</translation>
    </message>
    <message>
        <source>&lt;b&gt;Settings that differ&lt;/b&gt; (equal settings are hidden)</source>
        <translation>&lt;b&gt;不同的设置&lt;/b&gt;（相同的设置已隐藏）</translation>
    </message>
    <message>
        <source>No runs in the run store yet (%1). Finished runs appear here; press Refresh after training from the command line.</source>
        <translation>运行存储（%1）中还没有运行记录。已完成的运行会显示在这里；通过命令行训练后请点击“刷新”。</translation>
    </message>
    <message>
        <source>Tick two or more runs on the left to compare their curves, settings and parameter efficiency.</source>
        <translation>在左侧勾选两个或更多运行，以对比它们的曲线、设置和参数效率。</translation>
    </message>
    <message>
        <source>accuracy (0–1)</source>
        <translation>准确率（0–1）</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>best eval accuracy (0–1)</source>
        <translation>最佳评估准确率（0–1）</translation>
    </message>
    <message>
        <source>best eval loss (lower is better)</source>
        <translation>最佳评估损失（越低越好）</translation>
    </message>
    <message>
        <source>Cannot encode the PNG for %1</source>
        <translation>无法为 %1 编码 PNG</translation>
    </message>
    <message>
        <source>Export the Comparison as PNG</source>
        <translation>将对比导出为 PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Export the Comparison as CSV</source>
        <translation>将对比导出为 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>ICL &amp;Baseline…</source>
        <translation>ICL 基线(&amp;B)…</translation>
    </message>
    <message>
        <source>Score the setup&apos;s base model, untrained, with k training examples placed in its prompt (in-context learning), the same way runs are evaluated: what does fine-tuning buy over prompting?</source>
        <translation>用 k 个训练样例放进提示词（上下文学习）为设置页的基础模型打分，不做任何训练，评估方式与各次运行相同：微调比提示词多带来了什么？</translation>
    </message>
    <message>
        <source>%1: %2 with nothing trained; %3 prompt tokens and %4 ms per example (%5 demonstrations)</source>
        <translation>%1：未训练即达到 %2；每个样例 %3 个提示词元、%4 毫秒（%5 个示范）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: %2, %3</source>
        <translation>%1：%2，%3</translation>
    </message>
    <message>
        <source>; %1 prompt tokens per example</source>
        <translation>；每个样例 %1 个提示词元</translation>
    </message>
</context>
<context>
    <name>capsule::ui::CompareRunModel</name>
    <message>
        <source>#%1 %2
model: %3
data: %4
trainable: %5 of %6 (%7 %)
started %8</source>
        <translation>#%1 %2
模型：%3
数据：%4
可训练：%5 / %6（%7 %）
开始于 %8</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>Best eval</source>
        <translation>最佳评估</translation>
    </message>
    <message>
        <source>%1 tokens · %2 ms / example</source>
        <translation>%1 个词元 · 每样例 %2 毫秒</translation>
    </message>
    <message>
        <source>trained %1 s</source>
        <translation>训练 %1 秒</translation>
    </message>
    <message>
        <source>trained %1</source>
        <translation>训练 %1</translation>
    </message>
    <message>
        <source>In-context baseline: nothing is trained; every example is answered with %1 demonstrations in its prompt (%2 tokens instead of %3)</source>
        <translation>上下文学习基线：不训练任何参数；每个样例的提示词中放入 %1 个示范（%2 个词元，而不是 %3 个）</translation>
    </message>
    <message>
        <source>Wall time of the training run</source>
        <translation>训练运行的实际耗时</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>成本</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ConfigDiffModel</name>
    <message>
        <source>Setting</source>
        <translation>设置项</translation>
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
        <source>Keep the newest steps in view. Dragging or zooming a chart turns this off; double-click a chart to turn it back on.</source>
        <translation>保持最新的步骤在视图中。拖动或缩放图表会关闭此选项；双击图表可重新打开。</translation>
    </message>
    <message>
        <source>Show the loss axes on a logarithmic scale</source>
        <translation>以对数刻度显示损失坐标轴</translation>
    </message>
    <message>
        <source>Weight of the exponential moving average drawn over the raw loss (0 = none)</source>
        <translation>叠加在原始损失上的指数移动平均的权重（0 = 不平滑）</translation>
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
    <message>
        <source>%1 (from the history)</source>
        <translation>%1（来自历史）</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>GPU memory</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>memory (MiB: RSS, GPU)</source>
        <translation>内存（MiB：RSS、GPU）</translation>
    </message>
    <message>
        <source>Follo&amp;w latest</source>
        <translation>跟随最新(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Log scale (loss)</source>
        <translation>对数坐标（损失）(&amp;L)</translation>
    </message>
    <message>
        <source>S&amp;moothing:</source>
        <translation>平滑(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;X axis:</source>
        <translation>X 轴(&amp;X)：</translation>
    </message>
    <message>
        <source>&amp;Reset View</source>
        <translation>重置视图(&amp;R)</translation>
    </message>
</context>
<context>
    <name>capsule::ui::DatasetPanel</name>
    <message>
        <source>JSONL, JSON, CSV/TSV or TXT file</source>
        <translation>JSONL、JSON、CSV/TSV 或 TXT 文件</translation>
    </message>
    <message>
        <source>How the rows are read: detected from the file&apos;s fields, or forced here</source>
        <translation>数据行的读取方式：根据文件的字段自动检测，或在此强制指定</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>&lt;span style=&quot;background-color: %1; color: #10301a&quot;&gt;&amp;nbsp;highlighted&amp;nbsp;&lt;/span&gt; = trained tokens (the loss is on them); the rest is prompt and template, not trained. Hover a row for the full text.</source>
        <translation>&lt;span style=&quot;background-color: %1; color: #10301a&quot;&gt;&amp;nbsp;高亮&amp;nbsp;&lt;/span&gt; = 参与训练的词元（损失计算在这些词元上）；其余部分是提示和模板，不参与训练。将鼠标悬停在某行上可查看全文。</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Issues</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Token length per example</source>
        <translation>每个样本的词元长度</translation>
    </message>
    <message>
        <source>examples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>tokens (before truncation)</source>
        <translation>词元数（截断前）</translation>
    </message>
    <message>
        <source>Token lengths</source>
        <translation>词元长度</translation>
    </message>
    <message>
        <source>No dataset inspected yet.</source>
        <translation>尚未检查数据集。</translation>
    </message>
    <message>
        <source>Choose a dataset file to see its format, a preview and its token lengths.</source>
        <translation>选择一个数据集文件，查看其格式、预览和词元长度。</translation>
    </message>
    <message>
        <source>Reading and tokenizing…</source>
        <translation>正在读取并分词…</translation>
    </message>
    <message>
        <source>Cannot preview the dataset.</source>
        <translation>无法预览数据集。</translation>
    </message>
    <message>
        <source>detected</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <source>set here</source>
        <translation>在此指定</translation>
    </message>
    <message>
        <source>%1 examples (%2 valid / %3 skipped) · format: %4 (%5)</source>
        <translation>%1 个样本（%2 个有效 / %3 个跳过）· 格式：%4（%5）</translation>
    </message>
    <message>
        <source>The built-in demo dataset (%1).</source>
        <translation>内置演示数据集（%1）。</translation>
    </message>
    <message>
        <source>%1, read as %2: %3.</source>
        <translation>%1，按 %2 读取：%3。</translation>
    </message>
    <message>
        <source>Only the first %1 of %2 records are inspected here (training reads them all).</source>
        <translation>此处只检查了 %2 条记录中的前 %1 条（训练会读取全部记录）。</translation>
    </message>
    <message>
        <source>Detection found no format: %1</source>
        <translation>未检测到格式：%1</translation>
    </message>
    <message>
        <source>Template: %1 — %2</source>
        <translation>模板：%1 — %2</translation>
    </message>
    <message>
        <source>Preview (%1)</source>
        <translation>预览（%1）</translation>
    </message>
    <message>
        <source>Auto (detected: %1)</source>
        <translation>自动（检测到：%1）</translation>
    </message>
    <message>
        <source>Auto (not detected)</source>
        <translation>自动（未检测到）</translation>
    </message>
    <message>
        <source>Columns:</source>
        <translation>列：</translation>
    </message>
    <message>
        <source>The file&apos;s column read as &apos;%1&apos;</source>
        <translation>作为“%1”读取的文件列</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Training reads the mapped columns too (column_mapping in the saved setup, --column-mapping for capsule-cli).</source>
        <translation>训练也会读取映射后的列（保存的设置中的 column_mapping，capsule-cli 的 --column-mapping）。</translation>
    </message>
    <message>
        <source>line %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>whole file</source>
        <translation>整个文件</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 — %2: %3</source>
        <translation>%1 — %2：%3</translation>
    </message>
    <message>
        <source>… and %1 more bad rows</source>
        <translation>… 以及另外 %1 个错误行</translation>
    </message>
    <message>
        <source>Every inspected row is valid.</source>
        <translation>检查的所有行都有效。</translation>
    </message>
    <message>
        <source>Issues (%1)</source>
        <translation>问题（%1）</translation>
    </message>
    <message>
        <source>max length %1</source>
        <translation>最大长度 %1</translation>
    </message>
    <message>
        <source>%1 of %2 examples longer than max length %3 (truncated).</source>
        <translation>%2 个样本中有 %1 个超过最大长度 %3（已截断）。</translation>
    </message>
    <message>
        <source>No max length: no example is truncated.</source>
        <translation>未设置最大长度：不会截断任何样本。</translation>
    </message>
    <message>
        <source>The max length is far beyond the longest example.</source>
        <translation>最大长度远大于最长的样本。</translation>
    </message>
    <message>
        <source>Longest %1 tokens, median %2.</source>
        <translation>最长 %1 个词元，中位数 %2。</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Fo&amp;rmat:</source>
        <translation>格式(&amp;R)：</translation>
    </message>
</context>
<context>
    <name>capsule::ui::DatasetPreviewModel</name>
    <message>
        <source>choices: %1</source>
        <translation>选项：%1</translation>
    </message>
    <message>
        <source>%1 → %2 (truncated)</source>
        <translation>%1 → %2（已截断）</translation>
    </message>
    <message>
        <source>%1 tokens, %2 of them trained (the loss is on those)%3</source>
        <translation>%1 个词元，其中 %2 个参与训练（损失计算在这些词元上）%3</translation>
    </message>
    <message>
        <source>; cut from %1 tokens to max length</source>
        <translation>；已从 %1 个词元截断到最大长度</translation>
    </message>
    <message>
        <source>Prompt (not trained):
%1

Trained:
%2</source>
        <translation>提示（不参与训练）：
%1

参与训练：
%2</translation>
    </message>
    <message>
        <source>

Choices:</source>
        <translation>

选项：</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Rendered prompt (trained part highlighted)</source>
        <translation>渲染后的提示（训练部分高亮显示）</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ExportController</name>
    <message>
        <source>%1 changes the model&apos;s input, not its weights, so it cannot be merged; export the adapter folder instead (only LoRA, AdaLoRA and IA3 merge)</source>
        <translation>%1 改变的是模型的输入而不是权重，因此无法合并；请改为导出适配器文件夹（只有 LoRA、AdaLoRA 和 IA3 可以合并）</translation>
    </message>
    <message>
        <source>Imported %1</source>
        <translation>已导入 %1</translation>
    </message>
    <message>
        <source>Checking the adapter</source>
        <translation>正在检查适配器</translation>
    </message>
    <message>
        <source>Copying and verifying the adapter files</source>
        <translation>正在复制并校验适配器文件</translation>
    </message>
    <message>
        <source>Loading the base model</source>
        <translation>正在加载基础模型</translation>
    </message>
    <message>
        <source>Loading the adapter</source>
        <translation>正在加载适配器</translation>
    </message>
    <message>
        <source>Merging and writing the weights</source>
        <translation>正在合并并写入权重</translation>
    </message>
    <message>
        <source>Moving the export into place</source>
        <translation>正在将导出内容移动到目标位置</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ExportDialog</name>
    <message>
        <source>%1 bytes</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>%1 kB</source>
        <translation>%1 kB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>Export adapter</source>
        <translation>导出适配器</translation>
    </message>
    <message>
        <source>What to export</source>
        <translation>导出内容</translation>
    </message>
    <message>
        <source>A run&apos;s adapter folder</source>
        <translation>某次运行的适配器文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>HF PEFT adapter folder (adapter_config.json + adapter_model.safetensors)</source>
        <translation>HF PEFT 适配器文件夹（adapter_config.json + adapter_model.safetensors）</translation>
    </message>
    <message>
        <source>Merged model folder (the adapter folded into the base weights)</source>
        <translation>合并后的模型文件夹（适配器并入基础权重）</translation>
    </message>
    <message>
        <source>The base model folder the adapter was trained on</source>
        <translation>训练该适配器时使用的基础模型文件夹</translation>
    </message>
    <message>
        <source>A new or empty folder</source>
        <translation>新的或空的文件夹</translation>
    </message>
    <message>
        <source>Adapter folder:</source>
        <translation>适配器文件夹：</translation>
    </message>
    <message>
        <source>Base model:</source>
        <translation>基础模型：</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>目标位置：</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Nothing exported yet.</source>
        <translation>尚未导出任何内容。</translation>
    </message>
    <message>
        <source>How to load the export in Python appears here.</source>
        <translation>这里会显示如何在 Python 中加载导出结果。</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the Python snippet to the clipboard</source>
        <translation>将 Python 代码片段复制到剪贴板</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Choose the adapter folder</source>
        <translation>选择适配器文件夹</translation>
    </message>
    <message>
        <source>Choose the base model folder</source>
        <translation>选择基础模型文件夹</translation>
    </message>
    <message>
        <source>Choose the destination folder</source>
        <translation>选择目标文件夹</translation>
    </message>
    <message>
        <source>Not an adapter folder: %1</source>
        <translation>不是适配器文件夹：%1</translation>
    </message>
    <message>
        <source>%1 adapter, %2 tensors, %3 parameters, %4</source>
        <translation>%1 适配器，%2 个张量，%3 个参数，%4</translation>
    </message>
    <message>
        <source>Choose an adapter folder.</source>
        <translation>请选择适配器文件夹。</translation>
    </message>
    <message>
        <source>Choose a destination folder.</source>
        <translation>请选择目标文件夹。</translation>
    </message>
    <message>
        <source>A merged export needs the base model folder.</source>
        <translation>合并导出需要基础模型文件夹。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Exported to %1 (%2).</source>
        <translation>已导出到 %1（%2）。</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；未写入任何内容。</translation>
    </message>
    <message>
        <source>Nothing exported.</source>
        <translation>未导出任何内容。</translation>
    </message>
    <message>
        <source>Export failed.</source>
        <translation>导出失败。</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Done; the export is not listed in the run history: %1</source>
        <translation>完成；该导出未记入运行历史：%1</translation>
    </message>
</context>
<context>
    <name>capsule::ui::HistoryPage</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Run history&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;运行历史&lt;/h2&gt;</translation>
    </message>
    <message>
        <source>No runs yet. Finished, failed and interrupted runs are listed here and survive restarts.</source>
        <translation>还没有运行记录。已完成、失败和中断的运行都会列在这里，重启后仍然保留。</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（默认）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Filter runs (name, method, model, dataset, status…)</source>
        <translation>筛选运行（名称、方法、模型、数据集、状态…）</translation>
    </message>
    <message>
        <source>Select a run to see its settings and its log.</source>
        <translation>选择一个运行以查看其设置和日志。</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>Show the run&apos;s charts on the dashboard, rebuilt from the history (Enter or double-click)</source>
        <translation>在仪表板上显示该运行根据历史重建的图表（回车或双击）</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>重命名(&amp;R)</translation>
    </message>
    <message>
        <source>Rename the run</source>
        <translation>重命名该运行</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>删除(&amp;D)…</translation>
    </message>
    <message>
        <source>Delete the run and its output folder</source>
        <translation>删除该运行及其输出文件夹</translation>
    </message>
    <message>
        <source>Open Output &amp;Folder</source>
        <translation>打开输出文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>Open the run&apos;s output folder in the file manager</source>
        <translation>在文件管理器中打开该运行的输出文件夹</translation>
    </message>
    <message>
        <source>Res&amp;ume…</source>
        <translation>恢复(&amp;U)…</translation>
    </message>
    <message>
        <source>Continue an interrupted or stopped run from one of its checkpoints</source>
        <translation>从某个检查点继续已中断或已停止的运行</translation>
    </message>
    <message>
        <source>E&amp;xtend…</source>
        <translation>追加训练(&amp;X)…</translation>
    </message>
    <message>
        <source>Train a finished run for more steps from its last checkpoint</source>
        <translation>从最后一个检查点开始，将已完成的运行再多训练一些步数</translation>
    </message>
    <message>
        <source>Refres&amp;h</source>
        <translation>刷新(&amp;H)</translation>
    </message>
    <message>
        <source>Read the run history again</source>
        <translation>重新读取运行历史</translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) stopped when Capsule or its training process ended unexpectedly; they are marked interrupted and can be resumed from their last checkpoint.</source>
        <translation>
            <numerusform>有 %n 个运行因 Capsule 或其训练进程意外结束而停止；它们已被标记为“已中断”，可以从最后一个检查点恢复。</numerusform>
        </translation>
    </message>
    <message>
        <source>This run has no checkpoint to continue from (set “Checkpoint every” to keep them).</source>
        <translation>此运行没有可用于继续的检查点（设置“检查点间隔”以保留检查点）。</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>检查点</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message numerus="yes">
        <source>… %n earlier line(s)</source>
        <translation>
            <numerusform>… 前面还有 %n 行</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete the run “%1” (#%2) and its recorded metrics, evaluations and log?</source>
        <translation>要删除运行“%1”（#%2）及其记录的指标、评估结果和日志吗？</translation>
    </message>
    <message>
        <source>Its output folder is deleted too, with the adapter and every checkpoint in it:
%1</source>
        <translation>其输出文件夹也会一并删除，包括其中的适配器和所有检查点：
%1</translation>
    </message>
    <message>
        <source>Its output folder %1 is kept (it is missing, shared with another run, or holds files Capsule did not write).</source>
        <translation>其输出文件夹 %1 将保留（该文件夹不存在、与其他运行共用，或包含非 Capsule 写入的文件）。</translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Run “%1” has no checkpoint to continue from.</source>
        <translation>运行“%1”没有可用于继续的检查点。</translation>
    </message>
    <message>
        <source>%1 (resumed at step %2)</source>
        <translation>%1（从第 %2 步恢复）</translation>
    </message>
    <message>
        <source>%1 (extended to %2 steps)</source>
        <translation>%1（追加训练至 %2 步）</translation>
    </message>
</context>
<context>
    <name>capsule::ui::HistoryTableModel</name>
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
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>AdaLoRA</source>
        <translation>AdaLoRA</translation>
    </message>
    <message>
        <source>(IA)³</source>
        <translation>(IA)³</translation>
    </message>
    <message>
        <source>Prompt tuning</source>
        <translation>提示调优</translation>
    </message>
    <message>
        <source>Prefix tuning</source>
        <translation>前缀调优</translation>
    </message>
    <message>
        <source>P-tuning</source>
        <translation>P-tuning</translation>
    </message>
    <message>
        <source>T-Few</source>
        <translation>T-Few</translation>
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
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>%1 (%2 / %3)</source>
        <translation>%1（%2 / %3）</translation>
    </message>
    <message>
        <source>accuracy %1 %</source>
        <translation>准确率 %1 %</translation>
    </message>
    <message>
        <source>loss %1</source>
        <translation>损失 %1</translation>
    </message>
    <message>
        <source>%1 (%2 %)</source>
        <translation>%1（%2 %）</translation>
    </message>
    <message>
        <source>best %1 at step %2</source>
        <translation>最佳 %1（第 %2 步）</translation>
    </message>
    <message>
        <source>Run %1 — F2 renames it</source>
        <translation>运行 %1 — 按 F2 重命名</translation>
    </message>
    <message>
        <source>Created</source>
        <comment>run status: made, not started yet</comment>
        <translation>已创建</translation>
    </message>
    <message>
        <source>ICL baseline</source>
        <comment>in-context learning: the untrained model with demonstrations in its prompt</comment>
        <translation>ICL 基线</translation>
    </message>
</context>
<context>
    <name>capsule::ui::IclDialog</name>
    <message>
        <source>In-Context Learning Baseline</source>
        <translation>上下文学习基线</translation>
    </message>
    <message>
        <source>Scores the &lt;b&gt;untrained&lt;/b&gt; base model on the validation examples with &lt;i&gt;k&lt;/i&gt; training examples (and their answers) placed before each question: the same examples and the same scoring as the fine-tuning runs. The Compare page then shows what fine-tuning buys over prompting, and what each costs.</source>
        <translation>在验证样例上为&lt;b&gt;未训练&lt;/b&gt;的基础模型打分，每个问题前放入 &lt;i&gt;k&lt;/i&gt; 个训练样例（连同答案）：样例与评分方式都与微调运行相同。随后“对比”页会显示微调相对提示词带来的提升，以及各自的成本。</translation>
    </message>
    <message>
        <source>Demonstrations per prompt (0 = zero-shot). Prompts that would not fit the model&apos;s context drop the demonstrations farthest from the question.</source>
        <translation>每个提示词中的示范数（0 = 零样本）。放不进模型上下文的提示词会先去掉离问题最远的示范。</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Score at most this many validation examples (all: the whole validation split)</source>
        <translation>最多评估这么多个验证样例（全部：整个验证集）</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Dataset:</source>
        <translation>数据集：</translation>
    </message>
    <message>
        <source>&amp;Demonstrations (k):</source>
        <translation>示范数 k(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Examples:</source>
        <translation>样例数(&amp;E)：</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>%1 of %2 examples</source>
        <translation>%1 / %2 个样例</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#d55e00&apos;&gt;The baseline failed: %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#d55e00&apos;&gt;基线评估失败：%1&lt;/span&gt;</translation>
    </message>
    <message>
        <source>%1-shot: accuracy %2 % on %3 examples (eval loss %4).</source>
        <translation>%1 样本：在 %3 个样例上准确率 %2 %（评估损失 %4）。</translation>
    </message>
    <message>
        <source>%1-shot: eval loss %2 on %3 examples.</source>
        <translation>%1 样本：在 %3 个样例上评估损失 %2。</translation>
    </message>
    <message>
        <source>Each prompt has %1 tokens (the question alone %2) and takes %3 ms on %4.</source>
        <translation>每个提示词 %1 个词元（仅问题 %2 个），在 %4 上耗时 %3 毫秒。</translation>
    </message>
    <message numerus="yes">
        <source>%n prompt(s) dropped demonstrations to fit the model&apos;s context (%1 on average).</source>
        <translation>
            <numerusform>%n 个提示词为放进模型上下文而去掉了示范（平均 %1 个）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped early: the numbers cover the examples scored.</source>
        <translation>提前停止：结果只涵盖已评估的样例。</translation>
    </message>
    <message>
        <source>Recorded as run %1 and ticked on the Compare page.</source>
        <translation>已记录为运行 %1，并在“对比”页中勾选。</translation>
    </message>
    <message>
        <source>Not recorded in the run store: %1</source>
        <translation>未记入运行库：%1</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
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
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Overlay runs&apos; curves, see their settings side by side, and eval against trainable parameters</source>
        <translation>叠加显示各运行的曲线，并排查看其设置，并对照可训练参数比较评估结果</translation>
    </message>
    <message>
        <source>Playground</source>
        <translation>试验场</translation>
    </message>
    <message>
        <source>Try a prompt with the base model and with an adapter side by side</source>
        <translation>并排用基础模型和适配器试验同一个提示</translation>
    </message>
    <message>
        <source>Playground: %1</source>
        <translation>试验场：%1</translation>
    </message>
    <message>
        <source>&amp;Export Adapter…</source>
        <translation>导出适配器(&amp;E)…</translation>
    </message>
    <message>
        <source>Export a trained adapter as an HF PEFT folder or as a merged model</source>
        <translation>将训练好的适配器导出为 HF PEFT 文件夹或合并后的模型</translation>
    </message>
    <message>
        <source>&amp;Import Adapter…</source>
        <translation>导入适配器(&amp;I)…</translation>
    </message>
    <message>
        <source>Open an adapter folder saved by HF PEFT in the Playground</source>
        <translation>在试验场中打开由 HF PEFT 保存的适配器文件夹</translation>
    </message>
    <message>
        <source>Import an adapter folder</source>
        <translation>导入适配器文件夹</translation>
    </message>
    <message>
        <source>Import adapter</source>
        <translation>导入适配器</translation>
    </message>
    <message>
        <source>This folder cannot be imported:
%1</source>
        <translation>无法导入此文件夹：
%1</translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation>对比(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Playground</source>
        <translation>试验场(&amp;P)</translation>
    </message>
    <message>
        <source>A run is in progress; compare methods when it has ended.</source>
        <translation>有运行正在进行；请在其结束后再对比方法。</translation>
    </message>
    <message>
        <source>%1 (%2 of %3 in the method comparison)</source>
        <translation>%1（方法对比中的第 %2 / %3 个）</translation>
    </message>
    <message numerus="yes">
        <source>Method comparison done: %n run(s) on the Compare page.</source>
        <translation>
            <numerusform>方法对比完成：%n 个运行已在“对比”页面中。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Method comparison stopped after %n run(s).</source>
        <translation>
            <numerusform>方法对比在 %n 个运行后停止。</numerusform>
        </translation>
    </message>
    <message>
        <source>The dashboard shows the running training; open other runs when it ends.</source>
        <translation>仪表板正在显示进行中的训练；请在其结束后再打开其他运行。</translation>
    </message>
    <message>
        <source>Starting %1 from %2</source>
        <translation>正在从 %2 启动 %1</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <source>The imported adapter was not recorded in the run store: %1</source>
        <translation>导入的适配器未记录到运行存储中：%1</translation>
    </message>
    <message>
        <source>Imported the %1 adapter in %2</source>
        <translation>已导入 %2 中的 %1 适配器</translation>
    </message>
    <message>
        <source>&amp;Evaluate Adapter…</source>
        <translation>评估适配器(&amp;E)…</translation>
    </message>
    <message>
        <source>Score an adapter folder (one trained here or made by HF PEFT) on the Setup page&apos;s dataset, like a run&apos;s evaluation</source>
        <translation>在 设置页的数据集上为适配器文件夹（此处训练的或 HF PEFT 生成的）打分，方式与运行的评估相同</translation>
    </message>
    <message>
        <source>Evaluate an adapter folder</source>
        <translation>评估一个适配器文件夹</translation>
    </message>
    <message>
        <source>Evaluate adapter</source>
        <translation>评估适配器</translation>
    </message>
    <message>
        <source>In-Context &amp;Baseline…</source>
        <translation>上下文学习基线(&amp;B)…</translation>
    </message>
    <message>
        <source>Score the untrained base model with k training examples in its prompt</source>
        <translation>在提示词中放入 k 个训练样例，为未训练的基础模型打分</translation>
    </message>
    <message>
        <source>The evaluation failed: %1</source>
        <translation>评估失败：%1</translation>
    </message>
    <message>
        <source>Run %1 evaluated on %2 examples: accuracy %3 %, eval loss %4</source>
        <translation>运行 %1 已在 %2 个样例上评估：准确率 %3 %，评估损失 %4</translation>
    </message>
    <message>
        <source>Run %1 evaluated on %2 examples: eval loss %3</source>
        <translation>运行 %1 已在 %2 个样例上评估：评估损失 %3</translation>
    </message>
    <message>
        <source>Cannot evaluate %1: %2</source>
        <translation>无法评估 %1：%2</translation>
    </message>
    <message>
        <source>an evaluation is already running</source>
        <translation>已有评估正在运行</translation>
    </message>
    <message>
        <source>the adapter could not be recorded in the run store</source>
        <translation>无法将该适配器记入运行库</translation>
    </message>
    <message>
        <source>the Setup page&apos;s model and dataset are not ready</source>
        <translation>设置页的模型和数据集尚未就绪</translation>
    </message>
    <message>
        <source>Evaluating %1 on the Setup page&apos;s dataset…</source>
        <translation>正在 设置页的数据集上评估 %1…</translation>
    </message>
    <message>
        <source>the built-in demo model</source>
        <translation>内置演示模型</translation>
    </message>
    <message>
        <source>the built-in demo dataset</source>
        <translation>内置演示数据集</translation>
    </message>
    <message>
        <source>The adapter&apos;s rank allocation was not recorded: %1</source>
        <translation>未记录该适配器的秩分配：%1</translation>
    </message>
</context>
<context>
    <name>capsule::ui::MethodChoiceDialog</name>
    <message>
        <source>Compare Methods</source>
        <translation>对比方法</translation>
    </message>
    <message>
        <source>Train the current model and dataset with each ticked method, one run after another, then compare them. Each run keeps the step budget and evaluation settings of the setup and writes to its own folder.</source>
        <translation>用每种勾选的方法依次训练当前的模型和数据集，然后进行对比。每次运行沿用当前设置的步数预算和评估设置，并写入各自的文件夹。</translation>
    </message>
    <message>
        <source>&amp;Train Them</source>
        <translation>开始训练(&amp;T)</translation>
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
    <message>
        <source>target_modules: comma-separated layers that get a learned scaling vector (attention keys and values and the MLP, by default); feedforward_modules must be among them</source>
        <translation>target_modules：获得可学习缩放向量的层，用逗号分隔（默认为注意力的键、值以及 MLP）；feedforward_modules 必须包含在其中</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ModelList</name>
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
        <translation>磁盘占用</translation>
    </message>
    <message>
        <source>Models found in your Hugging Face cache and in folders you added</source>
        <translation>在 Hugging Face 缓存和你添加的文件夹中找到的模型</translation>
    </message>
    <message>
        <source>&amp;Add Folder…</source>
        <translation>添加文件夹(&amp;A)…</translation>
    </message>
    <message>
        <source>Add a Hugging Face model folder (config.json + safetensors)</source>
        <translation>添加 Hugging Face 模型文件夹（config.json + safetensors）</translation>
    </message>
    <message>
        <source>Recent &amp;Models</source>
        <translation>最近的模型(&amp;M)</translation>
    </message>
    <message>
        <source>The model folders you used last</source>
        <translation>你最近使用的模型文件夹</translation>
    </message>
    <message>
        <source>Recent Models</source>
        <translation>最近的模型</translation>
    </message>
    <message>
        <source>Recent model</source>
        <translation>最近的模型</translation>
    </message>
    <message>
        <source>Built-in demo</source>
        <translation>内置演示</translation>
    </message>
    <message>
        <source>A tiny GPT-2-shaped model shipped with Capsule and a two-choice sentiment task: trains in seconds on any CPU, no downloads</source>
        <translation>Capsule 自带的微型 GPT-2 结构模型和二选一情感任务：在任何 CPU 上几秒即可训练完，无需下载</translation>
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
        <source>Add a model folder</source>
        <translation>添加模型文件夹</translation>
    </message>
    <message>
        <source>The model folder %1 is gone or has no config.json; it was removed from the recent models.</source>
        <translation>模型文件夹 %1 已不存在或没有 config.json，已从最近的模型中移除。</translation>
    </message>
    <message>
        <source>%1
Not usable: %2</source>
        <translation>%1
不可用：%2</translation>
    </message>
</context>
<context>
    <name>capsule::ui::ModuleTree</name>
    <message>
        <source>Module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>in → out</source>
        <translation>输入 → 输出</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>The model&apos;s linear layers. Ticked layers get the adapter (target_modules); tick or untick a layer or a whole block to change them.</source>
        <translation>模型的线性层。勾选的层会添加适配器（target_modules）；勾选或取消勾选单个层或整个块即可更改。</translation>
    </message>
</context>
<context>
    <name>capsule::ui::PlaygroundController</name>
    <message>
        <source>model chat template ignored: %1</source>
        <translation>已忽略模型的对话模板：%1</translation>
    </message>
</context>
<context>
    <name>capsule::ui::PlaygroundPage</name>
    <message numerus="yes">
        <source>%n token(s), %1 tokens/s, stop: %2</source>
        <translation>
            <numerusform>%n 个词元，%1 词元/秒，停止原因：%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Built-in demo model (leave empty) or a model folder</source>
        <translation>内置演示模型（留空）或模型文件夹</translation>
    </message>
    <message>
        <source>A Hugging Face model folder: config.json, safetensors weights and tokenizer files</source>
        <translation>Hugging Face 模型文件夹：config.json、safetensors 权重和分词器文件</translation>
    </message>
    <message>
        <source>No adapter: base model only</source>
        <translation>无适配器：仅基础模型</translation>
    </message>
    <message>
        <source>An adapter folder (adapter_config.json + adapter_model.safetensors), from a run or saved by HF PEFT in Python</source>
        <translation>适配器文件夹（adapter_config.json + adapter_model.safetensors），来自某次运行或由 Python 中的 HF PEFT 保存</translation>
    </message>
    <message>
        <source>&amp;Load</source>
        <translation>加载(&amp;L)</translation>
    </message>
    <message>
        <source>Load the model and the adapter</source>
        <translation>加载模型和适配器</translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation>未加载模型。</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Type a prompt to continue</source>
        <translation>输入要续写的提示</translation>
    </message>
    <message>
        <source>The most tokens to generate</source>
        <translation>最多生成的词元数</translation>
    </message>
    <message>
        <source>Always pick the most likely token (temperature, top-k and top-p are ignored)</source>
        <translation>始终选择概率最高的词元（忽略温度、top-k 和 top-p）</translation>
    </message>
    <message>
        <source>End the generation when the model produces its end-of-text token</source>
        <translation>模型生成文本结束词元时结束生成</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Sample among the k most likely tokens; off = all</source>
        <translation>在概率最高的 k 个词元中采样；关闭 = 全部词元</translation>
    </message>
    <message>
        <source>Nucleus sampling: the smallest set of tokens whose probability reaches p; 1 = off</source>
        <translation>核采样：累计概率达到 p 的最小词元集合；1 = 关闭</translation>
    </message>
    <message>
        <source>Both sides sample with this seed, so the same settings repeat the same text</source>
        <translation>两侧都使用此种子采样，因此相同的设置会生成相同的文本</translation>
    </message>
    <message>
        <source>Max new tokens:</source>
        <translation>最大新词元数：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k：</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>种子：</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>Generate with the base model and the adapter (Ctrl+Enter)</source>
        <translation>用基础模型和适配器生成（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <source>With the adapter</source>
        <translation>使用适配器</translation>
    </message>
    <message>
        <source>Scored choices (classification / multiple choice)</source>
        <translation>选项评分（分类 / 多项选择）</translation>
    </message>
    <message>
        <source>One choice per line</source>
        <translation>每行一个选项</translation>
    </message>
    <message>
        <source>Each line is scored as the answer to the prompt, as the trainer&apos;s evaluation does</source>
        <translation>每一行都作为该提示的答案进行评分，与训练器的评估方式相同</translation>
    </message>
    <message>
        <source>S&amp;core choices</source>
        <translation>为选项评分(&amp;C)</translation>
    </message>
    <message>
        <source>Loading the built-in demo model…</source>
        <translation>正在加载内置演示模型…</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Load a model first.</source>
        <translation>请先加载模型。</translation>
    </message>
    <message>
        <source>Type a prompt first.</source>
        <translation>请先输入提示。</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message numerus="yes">
        <source>Scoring %n choice(s)…</source>
        <translation>
            <numerusform>正在为 %n 个选项评分…</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose an adapter folder</source>
        <translation>选择适配器文件夹</translation>
    </message>
    <message>
        <source>%1 M parameters</source>
        <translation>%1 M 参数</translation>
    </message>
    <message>
        <source>no adapter</source>
        <translation>无适配器</translation>
    </message>
    <message>
        <source>adapter %1 from %2</source>
        <translation>来自 %2 的 %1 适配器</translation>
    </message>
    <message>
        <source>Loaded %1 (%2); %3.</source>
        <translation>已加载 %1（%2）；%3。</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>就绪。</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>No adapter loaded.</source>
        <translation>未加载适配器。</translation>
    </message>
    <message numerus="yes">
        <source>Done: %n prompt token(s).</source>
        <translation>
            <numerusform>完成：%n 个提示词元。</numerusform>
        </translation>
    </message>
    <message>
        <source>Most likely with the adapter: %1</source>
        <translation>使用适配器时最可能的答案：%1</translation>
    </message>
    <message>
        <source>Br&amp;owse…</source>
        <translation>浏览(&amp;O)…</translation>
    </message>
    <message>
        <source>Bro&amp;wse…</source>
        <translation>浏览(&amp;W)…</translation>
    </message>
    <message>
        <source>&amp;Base model:</source>
        <translation>基础模型(&amp;B)：</translation>
    </message>
    <message>
        <source>A&amp;dapter:</source>
        <translation>适配器(&amp;D)：</translation>
    </message>
    <message>
        <source>Gr&amp;eedy</source>
        <translation>贪心(&amp;E)</translation>
    </message>
    <message>
        <source>Stop at end of te&amp;xt</source>
        <translation>在文本结束处停止(&amp;X)</translation>
    </message>
</context>
<context>
    <name>capsule::ui::RankBars</name>
    <message>
        <source>Rank per adapted matrix</source>
        <translation>每个被适配矩阵的秩</translation>
    </message>
    <message>
        <source>rank</source>
        <translation>秩</translation>
    </message>
    <message>
        <source>module (layer order)</source>
        <translation>模块（按层顺序）</translation>
    </message>
    <message>
        <source>init_r</source>
        <translation>init_r</translation>
    </message>
    <message>
        <source>L%1</source>
        <translation>L%1</translation>
    </message>
    <message>
        <source>%1
rank %2 of %3</source>
        <translation>%1
秩 %2 / %3</translation>
    </message>
    <message>
        <source>
importance kept: %1</source>
        <translation>
保留的重要性：%1</translation>
    </message>
    <message>
        <source>
importance pruned: %1</source>
        <translation>
剪除的重要性：%1</translation>
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
    <name>capsule::ui::RecentMenu</name>
    <message>
        <source>No recent items</source>
        <translation>没有最近的项目</translation>
    </message>
    <message>
        <source>(missing)</source>
        <translation>（已缺失）</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>清空列表(&amp;C)</translation>
    </message>
</context>
<context>
    <name>capsule::ui::RunHistory</name>
    <message>
        <source>Cannot open the run history %1: %2</source>
        <translation>无法打开运行历史 %1：%2</translation>
    </message>
    <message>
        <source>Cannot read the run history %1: %2</source>
        <translation>无法读取运行历史 %1：%2</translation>
    </message>
    <message>
        <source>A run needs a name.</source>
        <translation>运行必须有名称。</translation>
    </message>
    <message>
        <source>Cannot rename run %1: %2</source>
        <translation>无法重命名运行 %1：%2</translation>
    </message>
    <message>
        <source>Cannot delete run %1: %2</source>
        <translation>无法删除运行 %1：%2</translation>
    </message>
    <message>
        <source>Run %1 was deleted, but its folder %2 could not be removed completely.</source>
        <translation>运行 %1 已删除，但其文件夹 %2 未能完全删除。</translation>
    </message>
    <message>
        <source>Cannot read the events of run %1: %2</source>
        <translation>无法读取运行 %1 的事件：%2</translation>
    </message>
    <message>
        <source>trainer_state.json has no config</source>
        <translation>trainer_state.json 中没有配置</translation>
    </message>
    <message>
        <source>Run %1 is not in the run history.</source>
        <translation>运行 %1 不在运行历史中。</translation>
    </message>
    <message>
        <source>the newest rank snapshot (step %1) cannot be read: %2</source>
        <translation>无法读取最新的秩快照（第 %1 步）：%2</translation>
    </message>
    <message>
        <source>Cannot read run %1 from %2: %3</source>
        <translation>无法从 %2 读取运行 %1：%3</translation>
    </message>
    <message>
        <source>%1 is not a checkpoint (trainer_state.json is missing).</source>
        <translation>%1 不是检查点（缺少 trainer_state.json）。</translation>
    </message>
    <message>
        <source>The stored config of run %1 cannot be used: %2</source>
        <translation>运行 %1 保存的配置无法使用：%2</translation>
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
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>JSONL, JSON, CSV/TSV or TXT file</source>
        <translation>JSONL、JSON、CSV/TSV 或 TXT 文件</translation>
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
        <source>Save the whole setup as a JSON config file (the one `capsule-cli train --config` reads)</source>
        <translation>将整个设置保存为 JSON 配置文件（即 `capsule-cli train --config` 读取的文件）</translation>
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
    <message>
        <source>auto (%1)</source>
        <translation>自动（%1）</translation>
    </message>
    <message>
        <source>Estimated memory for training with these settings: the frozen weights at the compute dtype, the adapter with its gradients and AdamW state, the activations kept for one micro-batch (batch size × max length) and the logits. The runtime itself comes on top.</source>
        <translation>按这些设置训练所需内存的估计值：按计算数据类型存储的冻结权重、适配器及其梯度和 AdamW 状态、一个微批次（批大小 × 最大长度）保留的激活值以及 logits。运行时本身的开销另计。</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>Where training runs; auto uses the GPU when LibTorch sees one</source>
        <translation>训练运行的位置；“自动”会在 LibTorch 检测到 GPU 时使用 GPU</translation>
    </message>
    <message>
        <source>Compute dtype of the frozen model; auto picks bfloat16 on GPUs and on CPUs with native bfloat16 (AVX512-BF16/AMX), else float32. Adapters always train in float32.</source>
        <translation>冻结模型的计算数据类型；“自动”会在 GPU 和原生支持 bfloat16 的 CPU（AVX512-BF16/AMX）上选择 bfloat16，否则选择 float32。适配器始终以 float32 训练。</translation>
    </message>
    <message>
        <source>The dataset %1 has no usable example as %2 (see Dataset › Issues).</source>
        <translation>数据集 %1 按 %2 读取时没有可用的样本（参见 数据集 › 问题）。</translation>
    </message>
    <message>
        <source>Examples per optimizer step (%1 suggested for a model of %2 parameters; the memory estimate under the model list says what fits)</source>
        <translation>每个优化器步骤的样本数（对于 %2 个参数的模型，建议为 %1；模型列表下方的内存估计会显示能容纳多少）</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Write a checkpoint (adapter, optimizer, schedule, data position) every N steps and at the end, so an interrupted run can be resumed and a finished one extended (History page)</source>
        <translation>每 N 步及结束时写入检查点（适配器、优化器、学习率调度、数据位置），以便中断的运行可以恢复、已完成的运行可以追加训练（历史页面）</translation>
    </message>
    <message>
        <source>Start training with this setup (%1)</source>
        <translation>用此设置开始训练（%1）</translation>
    </message>
    <message>
        <source>R&amp;ecent</source>
        <translation>最近(&amp;E)</translation>
    </message>
    <message>
        <source>The dataset files you used last</source>
        <translation>你最近使用的数据集文件</translation>
    </message>
    <message>
        <source>Recent Datasets</source>
        <translation>最近的数据集</translation>
    </message>
    <message>
        <source>Recent dataset</source>
        <translation>最近的数据集</translation>
    </message>
    <message>
        <source>&amp;PEFT method:</source>
        <translation>PEFT 方法(&amp;P)：</translation>
    </message>
    <message>
        <source>Max &amp;steps:</source>
        <translation>最大步数(&amp;S)：</translation>
    </message>
    <message>
        <source>Batch si&amp;ze:</source>
        <translation>批大小(&amp;Z)：</translation>
    </message>
    <message>
        <source>Max le&amp;ngth:</source>
        <translation>最大长度(&amp;N)：</translation>
    </message>
    <message>
        <source>Learn&amp;ing rate:</source>
        <translation>学习率(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Checkpoint every:</source>
        <translation>检查点间隔(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <source>Compute dt&amp;ype:</source>
        <translation>计算精度(&amp;Y)：</translation>
    </message>
    <message>
        <source>&amp;Output folder:</source>
        <translation>输出文件夹(&amp;O)：</translation>
    </message>
    <message>
        <source>Save Set&amp;up…</source>
        <translation>保存设置(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Load Setup…</source>
        <translation>加载设置(&amp;L)…</translation>
    </message>
    <message>
        <source>The dataset file %1 is gone; it was removed from the recent datasets.</source>
        <translation>数据集文件 %1 已不存在，已从最近的数据集中移除。</translation>
    </message>
    <message>
        <source>&amp;Recent Models</source>
        <translation>最近的模型(&amp;R)</translation>
    </message>
    <message>
        <source>Recent Da&amp;tasets</source>
        <translation>最近的数据集(&amp;T)</translation>
    </message>
    <message>
        <source>Recent model</source>
        <translation>最近的模型</translation>
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
    <message>
        <source>The run history could not be written (%1): the adapter and checkpoints are not affected, but this run&apos;s history is incomplete.</source>
        <translation>无法写入运行历史（%1）：适配器和检查点不受影响，但此次运行的历史记录不完整。</translation>
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
