namespace ModelServer.Host.Tests.Images;

/// <summary>
/// Tests that expect a host to fail at start run alone: WebApplicationFactory intercepts host building through a
/// process-wide diagnostic listener, and once in a few full-suite runs a failing start raced another class's
/// start and surfaced a different exception.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialHostStartCollection
{
    public const string Name = "serial host start";
}
