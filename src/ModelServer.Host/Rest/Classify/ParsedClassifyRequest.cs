using ModelServer.Runtime.Classification;

namespace ModelServer.Host.Rest.Classify;

/// <summary>A decoded REST classify body: its examples with the context's features merged into each.</summary>
internal sealed record ParsedClassifyRequest(string? SignatureName, IReadOnlyList<IReadOnlyDictionary<string, ExampleFeature>> Examples);
