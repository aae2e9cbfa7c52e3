using System.Diagnostics;
using Google.Protobuf;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Training;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// Fine-tunes the last tapped stage (or the last <c>stages</c>) of an exported transfer model together with its dense layer. Every training
/// batch is a fresh augmented view of its photos: ONNX Runtime computes the stage's input (everything before it
/// stays frozen), then <see cref="OnnxTailModule"/> trains the rest of the served graph with TorchSharp: AdamW 1e-4,
/// weight decay 1e-2, cosine schedule, label smoothing 0.1, batch norm frozen. Fresh views matter: with a few cached
/// copies per photo the stage memorised the training clips in two epochs (99.9 % training accuracy, no gain on
/// held-out clips). Keeps the epoch that validates best (or the last).
/// </summary>
public static class FineTuner
{
    public const double LearningRate = 1e-4;

    public static (ModelProto Model, List<EpochMetrics> History, int BestEpoch, ConfusionMatrix Confusion, ParityReport Parity) Run(
        ModelProto onnx, DecodedDataset dataset, int[] train, int[] validation, int stages, TrainingOptions options, int firstEpoch,
        ITrainingProgress progress, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(log);
        string stageInput = TailInput(onnx, stages);
        onnx = UnshareTail(onnx, stageInput);
        var prefix = Prefix(onnx, stageInput);
        using var session = new OnnxClassifier(prefix.ToByteArray());
        long[] rowShape = [.. prefix.Graph.Output[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue)];
        int width = checked((int)rowShape.Aggregate(1L, (a, b) => a * b));
        var extractor = new FeatureExtractor(session, width, stageInput);
        var validationRows = extractor.Extract(dataset, validation, 0, AugmentationOptions.None, 0);
        log($"Fine-tuning from {stageInput} ({width} values per image), a fresh augmented view of each of {train.Length} photos per epoch.");

        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);
        using var tail = new OnnxTailModule(onnx, stageInput, OnnxExporter.LogitsName);
        var optimizer = optim.AdamW(tail.parameters(), LearningRate, weight_decay: 1e-2);
        var history = new List<EpochMetrics>();
        // Ties keep the earlier epoch, as the pipeline reports it.
        using var best = new BestWeights(tieOnLoss: false);
        int[] order = [.. train];
        int batches = (order.Length + options.BatchSize - 1) / options.BatchSize;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double rate = LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / options.Epochs));
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = rate;
            }

            progress.EpochStarted(firstEpoch + epoch, firstEpoch + options.Epochs, batches);
            var epochWatch = Stopwatch.StartNew();
            random.Shuffle(order);
            tail.train();
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int b = 0; b < batches; b++)
            {
                int count = Math.Min(options.BatchSize, order.Length - (b * options.BatchSize));
                using (NewDisposeScope())
                {
                    // One fixed seed per epoch and batch (HashCode is randomised per process), so a seed fixes the run.
                    int seed = unchecked((options.Seed * 1_000_003) + (epoch * 7_919) + b);
                    var views = extractor.Extract(dataset, order[(b * options.BatchSize)..((b * options.BatchSize) + count)], 1, options.Augmentation, seed, includeOriginal: false);
                    // The views are the batch, in order: wrap them as they are.
                    var x = tensor(views.Values, [count, .. rowShape]);
                    var y = tensor(views.Labels);
                    optimizer.zero_grad();
                    var logits = tail.forward(x);
                    var loss = nn.functional.cross_entropy(logits, y, label_smoothing: HeadTrainer.LabelSmoothing);
                    loss.backward();
                    lossSum += loss.item<float>() * count;
                    correct += (int)logits.argmax(1).eq(y).sum().item<long>();
                }

                optimizer.step();
                seen += count;
                progress.BatchCompleted(firstEpoch + epoch, b + 1, lossSum / seen, (double)correct / seen);
            }

            double seconds = epochWatch.Elapsed.TotalSeconds;
            var (validationLoss, confusion) = Evaluate(tail, validationRows, rowShape, dataset.ClassNames);
            var metrics = new EpochMetrics(firstEpoch + epoch, lossSum / seen, (double)correct / seen, validationLoss,
                validationRows.Count > 0 ? confusion.Accuracy : double.NaN, rate, seconds, seen / seconds);
            history.Add(metrics);
            progress.EpochCompleted(metrics);
            best.Offer(tail, firstEpoch + epoch, validationRows.Count > 0, metrics.ValidationAccuracy, validationLoss);
        }

        best.Restore(tail);
        var model = tail.Export(onnx);
        var final = Evaluate(tail, validationRows, rowShape, dataset.ClassNames).Confusion;
        int[] paritySet = [.. (validation.Length > 0 ? validation : train).Take(16)];
        return (model, history, best.Epoch, final, Verify(model, tail, session, dataset, paritySet, stageInput, rowShape));
    }

    /// <summary>
    /// Where the trained tail starts, in the feature model or in an exported one: the earlier tap (the first pooled
    /// stage) is the input of the last stage, the one ending at the last tap; each further stage moves it back to
    /// that stage's input.
    /// </summary>
    /// <exception cref="InvalidDataException">The model reads fewer than two stages, or has fewer stages than asked.</exception>
    public static string TailInput(ModelProto onnx, int stages)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentOutOfRangeException.ThrowIfLessThan(stages, 1);
        if (onnx.Graph.Node.Any(n => n.OpType == "ReduceMean"))
        {
            // The converted hand landmark network pools with ReduceMean; ResNet-18's graph never does.
            return ResidualTailInput(onnx.Graph, stages);
        }

        var pools = onnx.Graph.Node.Where(n => n.OpType == "GlobalAveragePool").ToList();
        if (pools.Count < 2)
        {
            throw new InvalidDataException("Fine-tuning needs a model that reads two stages (the earlier one is the frozen input).");
        }

        string input = pools[0].Input[0];
        for (int stage = 1; stage < stages; stage++)
        {
            input = GraphCuts.StageInput(onnx.Graph, input);
        }

        return input;
    }

    /// <summary>
    /// MobileNet-style graphs (the hand landmark network): the tail starts after the <paramref name="stages"/>-th last
    /// residual block, a residual Add whose output is the only live tensor (in the upright graph only the second
    /// pass has such cuts: the first pass's input stays live until the image is turned).
    /// </summary>
    private static string ResidualTailInput(GraphProto graph, int stages)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (Output: o, Node: n)))
            .ToDictionary(p => p.Output, p => p.Node, StringComparer.Ordinal);
        var residual = GraphCuts.Find(graph)
            .Where(t => producers[t] is { OpType: "Add" } add && add.Input.All(i => !initializers.Contains(i)))
            .ToList();
        return residual.Count >= stages
            ? residual[^stages]
            : throw new InvalidDataException($"The network has {residual.Count} residual blocks to start fine-tuning after, fewer than {stages}.");
    }

    /// <summary>
    /// A copy in which every weight the tail reads is its own: where a weight is also read before the cut (the
    /// upright graph's two passes share one copy), the tail gets a clone named <c>…_tuned</c>, so training it
    /// leaves the first pass, which places the hand, as it was.
    /// </summary>
    private static ModelProto UnshareTail(ModelProto onnx, string stageInput)
    {
        var copy = onnx.Clone();
        var graph = copy.Graph;
        int cut = graph.Node.ToList().FindIndex(n => n.Output.Contains(stageInput));
        var before = graph.Node.Take(cut + 1).SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var node in graph.Node.Skip(cut + 1))
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                string name = node.Input[i];
                if (!before.Contains(name) || !initializers.TryGetValue(name, out var shared))
                {
                    continue;
                }

                string own = name + "_tuned";
                if (!initializers.ContainsKey(own))
                {
                    var clone = shared.Clone();
                    clone.Name = own;
                    graph.Initializer.Add(clone);
                    initializers[own] = clone;
                }

                node.Input[i] = own;
            }
        }

        return copy;
    }

    /// <summary>The model up to <paramref name="output"/>, which becomes its only output.</summary>
    private static ModelProto Prefix(ModelProto onnx, string output)
    {
        var prefix = onnx.Clone();
        var graph = prefix.Graph;
        int end = graph.Node.ToList().FindIndex(n => n.Output.Contains(output));
        while (graph.Node.Count > end + 1)
        {
            graph.Node.RemoveAt(graph.Node.Count - 1);
        }

        var used = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var unused = graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            graph.Initializer.Remove(tensor);
        }

        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        // Infer the per-image shape once with ONNX Runtime, so the output declares it.
        using var probe = new Microsoft.ML.OnnxRuntime.InferenceSession(prefix.ToByteArray());
        var size = int.Parse(prefix.MetadataProps.First(p => p.Key == Runtime.Imaging.ImageMetadataKeys.ImageSize).Value, System.Globalization.CultureInfo.InvariantCulture);
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[size * size * 3], [1, size, size, 3]);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var result = probe.Run(runOptions, [OnnxExporter.InputName], [input], [output]);
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (long d in result[0].GetTensorTypeAndShape().Shape.Skip(1))
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        graph.Output[0].Type.TensorType.Shape = shape;
        return prefix;
    }

    private static (Tensor X, Tensor Y) Batch(FeatureSet rows, ReadOnlySpan<int> indices, long[] rowShape)
    {
        var data = new float[indices.Length * rows.Width];
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            rows.Values.AsSpan(checked(indices[i] * rows.Width), rows.Width).CopyTo(data.AsSpan(i * rows.Width, rows.Width));
            labels[i] = rows.Labels[indices[i]];
        }

        return (tensor(data, [indices.Length, .. rowShape]), tensor(labels));
    }

    private static (double Loss, ConfusionMatrix Confusion) Evaluate(OnnxTailModule tail, FeatureSet rows, long[] rowShape, IReadOnlyList<string> labels)
    {
        var confusion = new ConfusionMatrix(labels);
        if (rows.Count == 0)
        {
            return (double.NaN, confusion);
        }

        tail.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        int[] all = [.. Enumerable.Range(0, rows.Count)];
        for (int start = 0; start < all.Length; start += 64)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(64, all.Length - start);
            var (x, y) = Batch(rows, all.AsSpan(start, count), rowShape);
            var logits = tail.forward(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            long[] predicted = logits.argmax(1).data<long>().ToArray();
            for (int i = 0; i < count; i++)
            {
                confusion.Add((int)rows.Labels[start + i], (int)predicted[i]);
            }
        }

        return (lossSum / rows.Count, confusion);
    }

    private static ParityReport Verify(ModelProto model, OnnxTailModule tail, OnnxClassifier prefix, DecodedDataset dataset, int[] indices, string stageInput, long[] rowShape)
    {
        float[] stage = prefix.Run(prefix.Batch(dataset, indices), indices.Length, stageInput);
        tail.eval();
        return ExportVerifier.Compare(model, dataset, indices, ExportVerifier.DefaultTolerance, () => tail.forward(tensor(stage, [indices.Length, .. rowShape])));
    }
}
