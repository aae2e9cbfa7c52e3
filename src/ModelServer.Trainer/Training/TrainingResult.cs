using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Models;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Training;

/// <summary>A trained network (weights of the best validation epoch) and how it got there.</summary>
public sealed record TrainingResult(
    Architecture Architecture,
    nn.Module<Tensor, Tensor> Model,
    IReadOnlyList<EpochMetrics> History,
    int BestEpoch,
    ConfusionMatrix ValidationConfusion,
    int TrainCount,
    int ValidationCount,
    double TotalSeconds);
