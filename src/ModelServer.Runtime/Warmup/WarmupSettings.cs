namespace ModelServer.Runtime.Warmup;

/// <summary>
/// How a version is warmed up before it turns AVAILABLE: one run per batch size with zero inputs, so the first
/// client does not pay for ONNX Runtime's lazy allocations. From <c>config.json</c>'s <c>warmup</c> section.
/// </summary>
public sealed record WarmupSettings(bool Enabled, IReadOnlyList<int> BatchSizes)
{
    public static WarmupSettings Default { get; } = new(true, [1]);

    public static WarmupSettings Disabled { get; } = new(false, []);
}
