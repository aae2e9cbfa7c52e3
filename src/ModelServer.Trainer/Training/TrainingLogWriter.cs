using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModelServer.Trainer.Training;

/// <summary>Writes the per-epoch log as JSON (with the run's summary) and as CSV.</summary>
public static class TrainingLogWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void WriteJson(TrainingSummary summary, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(summary, Json));

    public static void WriteCsv(IReadOnlyList<EpochMetrics> history, string path)
    {
        var csv = new StringBuilder();
        csv.AppendLine("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,images_per_second");
        foreach (var m in history)
        {
            csv.AppendLine(string.Join(',',
                m.Epoch.ToString(CultureInfo.InvariantCulture),
                F(m.TrainLoss), F(m.TrainAccuracy), F(m.ValidationLoss), F(m.ValidationAccuracy),
                F(m.LearningRate), F(m.Seconds), F(m.ImagesPerSecond)));
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
