using Google.Protobuf;
using ModelServer.Trainer.Publishing;
using Onnx;

namespace ModelServer.Trainer.Tests.Publishing;

public sealed class ModelPublisherTests : IDisposable
{
    private readonly string root = TestData.NewTempDirectory();

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string WriteModel()
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.Graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "x" }, Output = { "y" } });
        string path = Path.Combine(root, "model-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Fact]
    public void First_publish_creates_version_1_with_the_model_and_no_leftovers()
    {
        string model = WriteModel();
        string repository = Path.Combine(root, "repo");

        var published = ModelPublisher.Publish(model, repository, "rps");

        Assert.Equal(1, published.Version);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(repository, "rps", "1", "model.onnx")));
        Assert.Equal([Path.Combine(repository, "rps", "1")], Directory.GetDirectories(Path.Combine(repository, "rps")));
    }

    [Fact]
    public void Next_version_follows_the_highest_number_and_ignores_other_folders()
    {
        string repository = Path.Combine(root, "repo");
        foreach (string folder in new[] { "1", "3", "tmp", "7.tmp" })
        {
            Directory.CreateDirectory(Path.Combine(repository, "rps", folder));
        }

        var published = ModelPublisher.Publish(WriteModel(), repository, "rps");

        Assert.Equal(4, published.Version);
        Assert.Equal(5, ModelPublisher.Publish(WriteModel(), repository, "rps").Version);
    }

    [Fact]
    public void Unwritable_repository_fails_clearly_and_leaves_nothing()
    {
        // A regular file where a folder is needed: refused even for root, unlike a chmod.
        string blocker = Path.Combine(root, "not-a-folder");
        File.WriteAllText(blocker, "x");

        var error = Assert.Throws<PublishException>(() => ModelPublisher.Publish(WriteModel(), Path.Combine(blocker, "repo"), "rps"));

        Assert.Contains("Cannot publish", error.Message, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(blocker));
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_before_anything_is_written()
    {
        string bogus = Path.Combine(root, "bogus.onnx");
        File.WriteAllBytes(bogus, [0xFF, 0xFF, 0xFF, 0x01]);
        string repository = Path.Combine(root, "repo");

        Assert.Throws<PublishException>(() => ModelPublisher.Publish(bogus, repository, "rps"));
        Assert.Throws<PublishException>(() => ModelPublisher.Publish(Path.Combine(root, "missing.onnx"), repository, "rps"));
        Assert.False(Directory.Exists(Path.Combine(repository, "rps")));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void Model_names_that_are_not_plain_folders_are_refused(string name) =>
        Assert.Throws<PublishException>(() => ModelPublisher.Publish(WriteModel(), Path.Combine(root, "repo"), name));

    [Fact]
    public void Versions_continue_after_the_highest_and_gaps_are_not_reused()
    {
        string repository = Path.Combine(root, "repo");
        string modelDirectory = Path.Combine(repository, "rps");
        Directory.CreateDirectory(Path.Combine(modelDirectory, "2"));

        var first = ModelPublisher.Publish(WriteModel(), repository, "rps");
        var second = ModelPublisher.Publish(WriteModel(), repository, "rps");

        Assert.Equal(3, first.Version);
        Assert.Equal(4, second.Version);
        Assert.DoesNotContain(Directory.GetDirectories(modelDirectory), d => Path.GetFileName(d).StartsWith('.'));
    }
}
