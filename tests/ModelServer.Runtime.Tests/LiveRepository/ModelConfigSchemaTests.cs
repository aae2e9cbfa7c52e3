using System.Text.Json;
using ModelServer.Runtime.Configuration;
using ModelServer.Runtime.Repository;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.LiveRepository;

/// <summary>The documented schema and the reader agree: the schema's example is read as it says.</summary>
public sealed class ModelConfigSchemaTests
{
    [Fact]
    public void The_schema_example_reads_into_the_policy_labels_and_warmup_it_documents()
    {
        var schema = FindSchema();
        using var document = JsonDocument.Parse(File.ReadAllText(schema));
        var example = document.RootElement.GetProperty("examples")[0].GetRawText();
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, ModelConfigReader.FileName), example);

        var source = ModelConfigReader.Read("m", folder.Path);

        Assert.Equal(VersionPolicyKind.Specific, source.Policy.Kind);
        Assert.Equal([1L, 2L], source.Policy.Versions);
        Assert.Equal(1, source.Labels["stable"]);
        Assert.Equal(2, source.Labels["canary"]);
        Assert.Equal([1, 8], source.Warmup.BatchSizes);
        Assert.Equal(VersionTransition.AvailabilityPreserving, source.Transition);
    }

    [Fact]
    public void Sections_of_other_features_are_accepted()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, ModelConfigReader.FileName), """
            { "batching": { "max_batch_size": 8 }, "runtime": { "intra_op_threads": 2 }, "preprocessing": { "size": [150, 150] },
              "version_policy": { "latest": { "num_versions": 2 } } }
            """);

        Assert.Equal(VersionPolicy.Latest(2), ModelConfigReader.Read("m", folder.Path).Policy with { Versions = [] });
    }

    private static string FindSchema()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "model-config.schema.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/model-config.schema.json not found above the test output folder");
    }
}
