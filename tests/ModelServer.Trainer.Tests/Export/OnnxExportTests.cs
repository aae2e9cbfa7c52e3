using Google.Protobuf;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Models;
using ModelServer.Trainer.Training;
using Onnx;

namespace ModelServer.Trainer.Tests.Export;

public sealed class OnnxExportTests
{
    private static (ModelProto Onnx, TrainingResult Result, DecodedDataset Data) TrainAndExport(string arch, int size)
    {
        TestData.EnsureTorch();
        var data = DatasetLoader.Load(TestData.CgiRoot, size);
        int[] all = [.. Enumerable.Range(0, data.Count)];
        var architecture = ArchitectureCatalog.Create(arch, size, data.ClassNames.Count);
        // One epoch moves batch-norm statistics and weights away from their initial values.
        var result = ModelTrainer.Train(data, all, [], architecture, new TrainingOptions(1, 16, 1, 0, new AugmentationOptions()), SilentProgress.Instance);
        return (OnnxExporter.Export(architecture, result.Model, data.ClassNames), result, data);
    }

    [Theory]
    [InlineData(ArchitectureCatalog.Compact, 64)]
    [InlineData(ArchitectureCatalog.Classic, 48)]
    [InlineData(ArchitectureCatalog.VggBn, 64)]
    public void Onnx_runtime_matches_torchsharp(string arch, int size)
    {
        var (onnx, result, data) = TrainAndExport(arch, size);

        var parity = ExportVerifier.Verify(onnx, result.Model, data, [.. Enumerable.Range(0, data.Count).Where(i => i % 4 == 0)]);

        Assert.True(parity.Passed, parity.ToString());
        Assert.Equal(15, parity.Images);
    }

    [Fact]
    public void Model_takes_nhwc_with_symbolic_batch_and_describes_itself()
    {
        var (onnx, _, _) = TrainAndExport(ArchitectureCatalog.Compact, 32);

        var input = Assert.Single(onnx.Graph.Input);
        Assert.Equal(OnnxExporter.InputName, input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal("batch", dims[0].DimParam);
        Assert.Equal([32L, 32L, 3L], dims.Skip(1).Select(d => d.DimValue));
        Assert.Equal([OnnxExporter.ProbabilitiesName, OnnxExporter.LogitsName], onnx.Graph.Output.Select(o => o.Name));

        var metadata = onnx.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("paper,rock,scissors", metadata[ImageMetadataKeys.Labels]);
        Assert.Equal("0.00392156862745098", metadata[ImageMetadataKeys.Scale]);
        Assert.Equal("NHWC", metadata[ImageMetadataKeys.Layout]);
        Assert.Equal("RGB", metadata[ImageMetadataKeys.ColorOrder]);
        var preprocessing = ImagePreprocessing.FromMetadata(metadata);
        Assert.NotNull(preprocessing);
        Assert.Equal(32, preprocessing.Width);
    }

    [Fact]
    public void Probabilities_sum_to_one_for_a_batch_of_any_size()
    {
        var (onnx, _, data) = TrainAndExport(ArchitectureCatalog.Compact, 32);
        using var classifier = new OnnxClassifier(onnx.ToByteArray());
        var p = classifier.Preprocessing;
        foreach (int count in new[] { 1, 5 })
        {
            var batch = new float[count * p.ElementCount];
            for (int i = 0; i < count; i++)
            {
                ImageTensorWriter.Write(data.Pixels[i], p, batch.AsSpan(i * p.ElementCount, p.ElementCount));
            }

            float[] probabilities = classifier.Run(batch, count);

            Assert.Equal(count * 3, probabilities.Length);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(1.0, probabilities.Skip(i * 3).Take(3).Sum(), 4);
            }
        }
    }

    [Fact]
    public void Importing_an_export_restores_the_same_network()
    {
        var (onnx, _, data) = TrainAndExport(ArchitectureCatalog.Compact, 32);

        var (architecture, imported) = OnnxWeightImporter.Import(onnx);

        Assert.Equal(ArchitectureCatalog.Compact, architecture.Name);
        var parity = ExportVerifier.Verify(onnx, imported, data, [0, 20, 40]);
        Assert.True(parity.Passed, parity.ToString());
    }
}
