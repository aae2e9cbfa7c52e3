using Google.Protobuf;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Models;
using ModelServer.Trainer.Training;

namespace ModelServer.Trainer.Tests.Training;

public sealed class ModelTrainerTests
{
    private static TrainingResult TrainCompact(DecodedDataset data, int seed, int epochs)
    {
        int[] all = [.. Enumerable.Range(0, data.Count)];
        var architecture = ArchitectureCatalog.Create(ArchitectureCatalog.Compact, data.ImageSize, data.ClassNames.Count);
        var options = new TrainingOptions(epochs, 16, seed, 0, AugmentationOptions.None);
        return ModelTrainer.Train(data, all, all, architecture, options, SilentProgress.Instance);
    }

    [Fact]
    public void Compact_network_learns_the_cgi_subset()
    {
        TestData.EnsureTorch();
        var data = DatasetLoader.Load(TestData.CgiRoot, 32);

        var result = TrainCompact(data, seed: 7, epochs: 6);

        Assert.Equal(6, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss,
            $"loss did not fall: {string.Join(", ", result.History.Select(h => h.TrainLoss))}");
        // Three balanced classes: chance is 1/3.
        Assert.True(result.ValidationConfusion.Accuracy > 0.5, $"accuracy {result.ValidationConfusion.Accuracy} is not above chance");
        Assert.Equal(data.Count, result.ValidationConfusion.Total);
    }

    [Fact]
    public void Same_seed_gives_the_same_model_and_another_seed_does_not()
    {
        TestData.EnsureTorch();
        var data = DatasetLoader.Load(TestData.CgiRoot, 32);
        byte[] Weights(int seed)
        {
            var result = TrainCompact(data, seed, epochs: 1);
            return OnnxExporter.Export(result.Architecture, result.Model, data.ClassNames).Graph.ToByteArray();
        }

        byte[] first = Weights(3);
        byte[] second = Weights(3);
        byte[] other = Weights(4);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Classic_architecture_has_the_keras_shape_at_150()
    {
        var architecture = ArchitectureCatalog.Create(ArchitectureCatalog.Classic, 150, 3);

        var dense = architecture.Layers.Where(l => l.Kind == LayerKind.Linear).ToArray();
        Assert.Equal(4, architecture.Layers.Count(l => l.Kind == LayerKind.Conv));
        Assert.Equal(128 * 7 * 7, dense[0].In);
        Assert.Equal(512, dense[0].Out);
        Assert.Equal(3, dense[1].Out);
        Assert.Contains(architecture.Layers, l => l.Kind == LayerKind.Dropout && l.Dropout == 0.5);
    }

    [Fact]
    public void Unknown_architecture_and_too_small_input_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ArchitectureCatalog.Create("resnet", 150, 3));
        Assert.Throws<ArgumentException>(() => ArchitectureCatalog.Create(ArchitectureCatalog.Classic, 40, 3));
    }
}
