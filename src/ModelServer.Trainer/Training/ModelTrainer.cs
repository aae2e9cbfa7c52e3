using System.Diagnostics;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Training;

/// <summary>
/// The training loop. Deterministic for a seed: torch's generator is seeded, the data order and
/// every augmentation draw come from one seeded <see cref="Random"/> on this thread.
/// </summary>
public static class ModelTrainer
{
    public static TrainingResult Train(
        DecodedDataset dataset, int[] trainIndices, int[] validationIndices, Architecture architecture, TrainingOptions options, ITrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(trainIndices);
        ArgumentNullException.ThrowIfNull(validationIndices);
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        if (trainIndices.Length == 0)
        {
            throw new DatasetException("No training images left after the validation split.");
        }

        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);
        var model = NetworkBuilder.Build(architecture);
        var optimizer = CreateOptimizer(architecture, model);
        var batches = new BatchBuilder(dataset, options.Augmentation);
        var history = new List<EpochMetrics>();
        using var best = new BestWeights();
        int[] order = [.. trainIndices];
        int batchCount = (order.Length + options.BatchSize - 1) / options.BatchSize;
        var total = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            int horizon = ScheduleHorizon(options, epoch, total.Elapsed);
            double learningRate = architecture.CosineSchedule
                ? architecture.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / horizon))
                : architecture.LearningRate;
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            progress.EpochStarted(epoch, options.Epochs, batchCount);
            var watch = Stopwatch.StartNew();
            random.Shuffle(order);
            model.train();
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int b = 0; b < batchCount; b++)
            {
                int start = b * options.BatchSize;
                int count = Math.Min(options.BatchSize, order.Length - start);
                // The step runs outside the batch's dispose scope, so the optimizer state it creates
                // lazily on the first step can never be owned (and freed) by a batch's scope.
                using (NewDisposeScope())
                {
                    var (images, labels) = batches.Build(order.AsSpan(start, count), random);
                    optimizer.zero_grad();
                    var logits = model.forward(images);
                    var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: architecture.LabelSmoothing);
                    loss.backward();
                    lossSum += loss.item<float>() * count;
                    correct += (int)logits.argmax(1).eq(labels).sum().item<long>();
                }

                optimizer.step();
                seen += count;
                progress.BatchCompleted(epoch, b + 1, lossSum / seen, (double)correct / seen);
            }

            double trainSeconds = watch.Elapsed.TotalSeconds;
            var (validationLoss, confusion) = validationIndices.Length > 0
                ? Predictor.Evaluate(model, batches, validationIndices, dataset.ClassNames, options.BatchSize)
                : (double.NaN, new Evaluation.ConfusionMatrix(dataset.ClassNames));
            double validationAccuracy = validationIndices.Length > 0 ? confusion.Accuracy : double.NaN;
            var metrics = new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, validationLoss, validationAccuracy,
                learningRate, watch.Elapsed.TotalSeconds, seen / trainSeconds);
            history.Add(metrics);
            progress.EpochCompleted(metrics);

            bool outOfTime = options.TimeLimit is { } limit && total.Elapsed + watch.Elapsed > limit;
            // Keep the epoch that validates best (ties: lower loss); without validation, the last.
            best.Offer(model, epoch, validationIndices.Length > 0, validationAccuracy, validationLoss);

            if (outOfTime && epoch < options.Epochs)
            {
                break;
            }
        }

        best.Restore(model);
        model.eval();
        var (_, finalConfusion) = Predictor.Evaluate(model, batches, validationIndices, dataset.ClassNames, options.BatchSize);
        return new TrainingResult(architecture, model, history, best.Epoch, finalConfusion, trainIndices.Length, validationIndices.Length, total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Epochs the cosine schedule spans: <see cref="TrainingOptions.Epochs"/>, or with a time limit
    /// the number of epochs expected to fit at the speed so far, so the rate still anneals before
    /// the run is cut short.
    /// </summary>
    private static int ScheduleHorizon(TrainingOptions options, int epoch, TimeSpan elapsed)
    {
        if (options.TimeLimit is not { } limit || epoch == 1)
        {
            return options.Epochs;
        }

        double perEpoch = elapsed.TotalSeconds / (epoch - 1);
        int fits = (int)Math.Floor(limit.TotalSeconds / perEpoch);
        return Math.Clamp(fits, epoch, options.Epochs);
    }

    private static optim.Optimizer CreateOptimizer(Architecture architecture, nn.Module model) => architecture.Optimizer switch
    {
        // Keras' RMSprop defaults: rho 0.9, epsilon 1e-7.
        OptimizerKind.RmsProp => optim.RMSProp(model.parameters(), architecture.LearningRate, alpha: 0.9, eps: 1e-7),
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), architecture.LearningRate, weight_decay: architecture.WeightDecay),
        _ => throw new NotSupportedException($"Optimizer {architecture.Optimizer}."),
    };
}
