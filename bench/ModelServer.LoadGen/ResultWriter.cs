using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModelServer.LoadGen;

/// <summary>Prints a step as one line and writes all steps as JSON (<c>.json</c>) or CSV (anything else).</summary>
internal static class ResultWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Line(StepResult r)
    {
        var load = r.Mode == "closed" ? $"c={r.Concurrency}" : $"rate={r.Rate}/s";
        var errors = r.Errors.Count == 0 ? "none" : string.Join(", ", r.Errors.Select(e => $"{e.Key}={e.Value}"));
        var refused = r.RefusedP50Ms is { } p50 ? $" (refused in p50 {p50:F2} p99 {r.RefusedP99Ms:F2} max {r.RefusedMaxMs:F2} ms)" : string.Empty;
        var rss = r.ServerRssBeforeMb is { } before ? $" rss {before:F0}->{r.ServerRssAfterMb:F0} MB" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{r.Label,-12} {r.Target,-9} {load,-11} {r.Throughput,8:F1} req/s  p50 {r.P50Ms,8:F2}  p90 {r.P90Ms,8:F2}  p99 {r.P99Ms,8:F2}  max {r.MaxMs,8:F2} ms  ok {r.Ok}/{r.Sent}  errors {errors}{refused}{rss}");
    }

    public static void Write(string path, IReadOnlyList<StepResult> results, IReadOnlyList<string> args)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var document = new { Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}", Started = DateTimeOffset.UtcNow, Arguments = args, Steps = results };
            File.WriteAllText(path, JsonSerializer.Serialize(document, Indented));
            return;
        }

        var csv = new StringBuilder("label,target,mode,concurrency,rate,seconds,sent,ok,throughput,p50_ms,p90_ms,p99_ms,max_ms,mean_ms,errors,rss_before_mb,rss_after_mb,refused_p50_ms,refused_p99_ms,refused_max_ms\n");
        foreach (var r in results)
        {
            var errors = string.Join(";", r.Errors.Select(e => $"{e.Key}={e.Value}"));
            csv.Append(CultureInfo.InvariantCulture, $"{r.Label},{r.Target},{r.Mode},{r.Concurrency},{r.Rate},{r.Seconds},{r.Sent},{r.Ok},{r.Throughput},{r.P50Ms},{r.P90Ms},{r.P99Ms},{r.MaxMs},{r.MeanMs},{errors},{r.ServerRssBeforeMb},{r.ServerRssAfterMb},{r.RefusedP50Ms},{r.RefusedP99Ms},{r.RefusedMaxMs}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }
}
