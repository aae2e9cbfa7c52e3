using System.Diagnostics;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// Trains the classifier head (dropout, then one dense layer: features → classes) with TorchSharp on cached
/// backbone features: AdamW with a cosine schedule, label smoothing 0.1, minibatches in a seeded order. Keeps the
/// epoch that validates best (ties: lower loss), like <see cref="ModelTrainer"/>.
/// </summary>
public static class HeadTrainer
{
    public const double LearningRate = 3e-3;
    public const double WeightDecay = 1e-2;
    public const double Dropout = 0.3;
    public const double LabelSmoothing = 0.1;

    /// <summary>Dropout then one dense layer; with <paramref name="hidden"/> &gt; 0, a hidden ReLU layer and a second dropout before it.</summary>
    public static nn.Module<Tensor, Tensor> Create(int width, int classes, int hidden = 0) => hidden > 0
        ? nn.Sequential(("dropout", nn.Dropout(Dropout)), ("hidden", nn.Linear(width, hidden)), ("relu", nn.ReLU()), ("dropout2", nn.Dropout(Dropout)), ("dense", nn.Linear(hidden, classes)))
        : nn.Sequential(("dropout", nn.Dropout(Dropout)), ("dense", nn.Linear(width, classes)));

    public static (nn.Module<Tensor, Tensor> Head, List<EpochMetrics> History, int BestEpoch, ConfusionMatrix Confusion) Train(
        FeatureSet train, FeatureSet validation, IReadOnlyList<string> labels, int epochs, int batchSize, int seed, ITrainingProgress progress, int hidden = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(progress);
        torch.manual_seed(seed);
        var random = new Random(seed);
        var head = Create(train.Width, labels.Count, hidden);
        var optimizer = optim.AdamW(head.parameters(), LearningRate, weight_decay: WeightDecay);
        using var trainX = tensor(train.Values, [train.Count, train.Width]);
        using var trainY = tensor(train.Labels);
        int[] order = [.. Enumerable.Range(0, train.Count)];
        int batches = (train.Count + batchSize - 1) / batchSize;
        var history = new List<EpochMetrics>();
        using var best = new BestWeights();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double rate = LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / epochs));
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = rate;
            }

            progress.EpochStarted(epoch, epochs, batches);
            var watch = Stopwatch.StartNew();
            random.Shuffle(order);
            head.train();
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int b = 0; b < batches; b++)
            {
                int start = b * batchSize;
                int count = Math.Min(batchSize, order.Length - start);
                using (NewDisposeScope())
                {
                    var index = tensor(order.AsSpan(start, count).ToArray().Select(i => (long)i).ToArray());
                    var x = trainX.index_select(0, index);
                    var y = trainY.index_select(0, index);
                    optimizer.zero_grad();
                    var logits = head.forward(x);
                    var loss = nn.functional.cross_entropy(logits, y, label_smoothing: LabelSmoothing);
                    loss.backward();
                    lossSum += loss.item<float>() * count;
                    correct += (int)logits.argmax(1).eq(y).sum().item<long>();
                }

                optimizer.step();
                seen += count;
                progress.BatchCompleted(epoch, b + 1, lossSum / seen, (double)correct / seen);
            }

            double seconds = watch.Elapsed.TotalSeconds;
            var (validationLoss, confusion) = Evaluate(head, validation, labels);
            var metrics = new EpochMetrics(epoch, lossSum / train.Count, (double)correct / train.Count, validationLoss,
                validation.Count > 0 ? confusion.Accuracy : double.NaN, rate, seconds, train.Count / seconds);
            history.Add(metrics);
            progress.EpochCompleted(metrics);
            best.Offer(head, epoch, validation.Count > 0, metrics.ValidationAccuracy, validationLoss);
        }

        best.Restore(head);
        head.eval();
        return (head, history, best.Epoch, Evaluate(head, validation, labels).Confusion);
    }

    public static (double Loss, ConfusionMatrix Confusion) Evaluate(nn.Module<Tensor, Tensor> head, FeatureSet features, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(features);
        var confusion = new ConfusionMatrix(labels);
        if (features.Count == 0)
        {
            return (double.NaN, confusion);
        }

        head.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = tensor(features.Values, [features.Count, features.Width]);
        var y = tensor(features.Labels);
        var logits = head.forward(x);
        double loss = nn.functional.cross_entropy(logits, y).item<float>();
        long[] predicted = logits.argmax(1).data<long>().ToArray();
        for (int i = 0; i < features.Count; i++)
        {
            confusion.Add((int)features.Labels[i], (int)predicted[i]);
        }

        return (loss, confusion);
    }
}
