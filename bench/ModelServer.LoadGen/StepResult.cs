namespace ModelServer.LoadGen;

/// <summary>What one step measured. Latencies are of successful requests, the Refused… ones of refusals (null when none), in milliseconds.</summary>
internal sealed record StepResult(
    string Label,
    string Target,
    string Mode,
    int Concurrency,
    double Rate,
    double Seconds,
    long Sent,
    long Ok,
    IReadOnlyDictionary<string, long> Errors,
    double Throughput,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    double? ServerRssBeforeMb,
    double? ServerRssAfterMb,
    double? RefusedP50Ms,
    double? RefusedP99Ms,
    double? RefusedMaxMs);
