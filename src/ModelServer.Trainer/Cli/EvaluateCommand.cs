using System.Globalization;
using ModelServer.Trainer.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

/// <summary><c>evaluate</c>: accuracy, per-class precision and recall, confusion matrix.</summary>
public sealed class EvaluateCommand : Command<EvaluateSettings>
{
    public override int Execute(CommandContext context, EvaluateSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var report = ModelEvaluator.Evaluate(settings.Model!, settings.Data!,
            skipped => AnsiConsole.MarkupLine($"[yellow]warning:[/] skipped unreadable image {Markup.Escape(skipped.Path)}: {Markup.Escape(skipped.Reason)}"));
        var confusion = report.Confusion;
        var table = new Table().Title("confusion matrix (rows: actual, columns: predicted)");
        table.AddColumn("actual");
        foreach (string label in confusion.Labels)
        {
            table.AddColumn(new TableColumn(Markup.Escape(label)).RightAligned());
        }

        table.AddColumn(new TableColumn("precision").RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        for (int a = 0; a < confusion.Labels.Count; a++)
        {
            var cells = new List<string> { Markup.Escape(confusion.Labels[a]) };
            cells.AddRange(Enumerable.Range(0, confusion.Labels.Count).Select(p => confusion[a, p].ToString(CultureInfo.InvariantCulture)));
            cells.Add(confusion.Precision(a).ToString("P1", CultureInfo.InvariantCulture));
            cells.Add(confusion.Recall(a).ToString("P1", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }

        AnsiConsole.Write(table);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {confusion.Accuracy:P2} on {confusion.Total} images ({report.Skipped.Count} skipped), {report.Seconds:F1} s"));
        return 0;
    }
}
