using ModelServer.Runtime.Configuration;
using ModelServer.Runtime.Repository;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Configuration;

public sealed class ModelConfigReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void MissingFileMeansDefaults()
    {
        var source = ModelConfigReader.Read("m", _directory.Path);
        Assert.Equal(VersionPolicy.Default, source.Policy);
        Assert.Empty(source.Labels);
    }

    [Fact]
    public void PolicyAndLabelsAreRead()
    {
        File.WriteAllText(Path.Combine(_directory.Path, "config.json"), """
            { // comments are allowed
              "version_policy": { "specific": { "versions": [1, 2] } },
              "version_labels": { "stable": 1, "canary": 2 }
            }
            """);
        var source = ModelConfigReader.Read("m", _directory.Path);
        Assert.Equal(VersionPolicyKind.Specific, source.Policy.Kind);
        Assert.Equal([1L, 2L], source.Policy.Versions);
        Assert.Equal(2L, source.Labels["canary"]);
    }

    [Theory]
    [InlineData("{\"version_policy\": {\"latest\": {}, \"all\": {}}}", "exactly one of latest, all, specific")]
    [InlineData("{\"version_policy\": {\"latest\": {\"num_versions\": 0}}}", "num_versions must be at least 1")]
    [InlineData("{\"version_policy\": ", "config.json")]
    public void MalformedFilesNameTheProblem(string json, string message)
    {
        File.WriteAllText(Path.Combine(_directory.Path, "config.json"), json);
        var error = Assert.Throws<InvalidDataException>(() => ModelConfigReader.Read("m", _directory.Path));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
