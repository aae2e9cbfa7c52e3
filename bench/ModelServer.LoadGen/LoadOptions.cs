namespace ModelServer.LoadGen;

/// <summary>One load-generator run, as the command line gives it.</summary>
internal sealed record LoadOptions
{
    public required Uri Target { get; init; }

    public required string Protocol { get; init; }

    public required string Model { get; init; }

    public long? Version { get; init; }

    /// <summary><c>random</c>, or a JSON file <c>{"instances": [...]}</c> / <c>{"inputs": {...}}</c> with float values.</summary>
    public required string Input { get; init; }

    /// <summary>Rows per request when the input is random.</summary>
    public int Rows { get; init; } = 1;

    public required IReadOnlyList<int> Concurrency { get; init; }

    /// <summary>Open-loop rates (requests per second), one step each; empty = closed loop.</summary>
    public required IReadOnlyList<double> Rates { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public long MaxRequests { get; init; } = 1_000_000;

    public int MaxInFlight { get; init; } = 4096;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>REST: ask for 100 Continue before sending the body, so a refusal costs no upload.</summary>
    public bool ExpectContinue { get; init; }

    /// <summary>An ONNX file to load in-process instead of calling a server.</summary>
    public string? InProcessModel { get; init; }

    /// <summary>In-process ONNX Runtime intra-op threads; 0 is its default (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>A server process whose resident memory is sampled before and after each step.</summary>
    public int? ServerPid { get; init; }

    public string? Out { get; init; }

    public string Label { get; init; } = string.Empty;
}
