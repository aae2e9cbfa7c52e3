using ScottPlot;

namespace ModelServer.Trainer.Training;

/// <summary>PNG of accuracy (left axis) and loss (right axis) per epoch, for training and validation.</summary>
public static class TrainingPlot
{
    public static void Save(IReadOnlyList<EpochMetrics> history, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(history);
        double[] epochs = [.. history.Select(m => (double)m.Epoch)];
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("accuracy");
        plot.Axes.Right.Label.Text = "loss";
        AddLine(plot, epochs, history.Select(m => m.TrainAccuracy), "train accuracy", Colors.Blue, LinePattern.Solid, right: false);
        AddLine(plot, epochs, history.Select(m => m.ValidationAccuracy), "validation accuracy", Colors.Orange, LinePattern.Solid, right: false);
        AddLine(plot, epochs, history.Select(m => m.TrainLoss), "train loss", Colors.Blue, LinePattern.Dashed, right: true);
        AddLine(plot, epochs, history.Select(m => m.ValidationLoss), "validation loss", Colors.Orange, LinePattern.Dashed, right: true);
        plot.Axes.Left.Min = 0;
        plot.Axes.Left.Max = 1.02;
        plot.ShowLegend(Alignment.MiddleRight);
        plot.SavePng(path, 900, 540);
    }

    private static void AddLine(Plot plot, double[] xs, IEnumerable<double> values, string label, Color color, LinePattern pattern, bool right)
    {
        double[] ys = [.. values];
        if (ys.All(double.IsNaN))
        {
            return;
        }

        var line = plot.Add.Scatter(xs, ys, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.MarkerSize = 4;
        if (right)
        {
            line.Axes.YAxis = plot.Axes.Right;
        }
    }
}
