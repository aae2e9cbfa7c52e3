using Microsoft.Extensions.Logging.Abstractions;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Tensors;
using ModelServer.Testing;
using DataType = Onnx.TensorProto.Types.DataType;

namespace ModelServer.Runtime.Tests.Onnx;

public sealed class OnnxModelTests : IDisposable
{
    private static readonly OnnxRuntimeOptions Cpu = new() { ExecutionProvider = "cpu" };
    private readonly TempDirectory _directory = new();

    private OnnxModel Load(byte[] model, string name = "m")
    {
        var file = TestModels.Publish(_directory.Path, name, 1, model);
        return OnnxModel.Load(file, Cpu, NullLogger.Instance);
    }

    [Fact]
    public void SignatureComesFromTheGraph()
    {
        using var model = Load(TestModels.TwoInputs());
        Assert.Equal("serving_default", model.Signature.Name);
        Assert.Equal(["a", "b"], model.Signature.Inputs.Select(i => i.Name));
        Assert.Equal(["sum", "product"], model.Signature.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, 2L], model.Signature.Inputs[0].Shape);
        Assert.Equal(TensorDataType.Float, model.Signature.Inputs[0].DataType);
        Assert.True(model.Signature.Inputs[0].HasBatchDimension);
        Assert.Equal("CPUExecutionProvider", model.ExecutionProvider);
    }

    [Fact]
    public void MetadataPropsAreExposed()
    {
        var bytes = new OnnxGraphBuilder()
            .Input("x", DataType.Float, [null])
            .Output("y", DataType.Float, [null])
            .Node("Identity", ["x"], ["y"])
            .Metadata("labels", "paper,rock,scissors")
            .Build();
        using var model = Load(bytes);
        Assert.Equal("paper,rock,scissors", model.Metadata["labels"]);
    }

    [Fact]
    public void RunComputesWithBorrowedInputsAndOwnedOutputs()
    {
        using var model = Load(TestModels.HalfPlusTwo());
        using var input = Tensor.Rent(TensorDataType.Float, [3]);
        input.AsWritableSpan<float>()[0] = 1;
        input.AsWritableSpan<float>()[1] = 2;
        input.AsWritableSpan<float>()[2] = 5;
        var outputs = model.Run(["x"], [input], ["y"], CancellationToken.None);
        using var output = Assert.Single(outputs);
        Assert.Equal([3L], output.ShapeArray);
        Assert.Equal([2.5f, 3f, 4.5f], output.AsSpan<float>().ToArray());
    }

    [Fact]
    public void StringTensorsRun()
    {
        using var model = Load(TestModels.Identity(DataType.String));
        using var input = Tensor.FromStrings([1, 2], ["a"u8.ToArray(), new byte[] { 0xC3, 0xA9 }]);
        using var output = Assert.Single(model.Run(["in"], [input], ["out"], CancellationToken.None));
        Assert.Equal(TensorDataType.String, output.DataType);
        Assert.Equal("a"u8.ToArray(), output.Strings[0].ToArray());
        Assert.Equal(new byte[] { 0xC3, 0xA9 }, output.Strings[1].ToArray());
    }

    [Fact]
    public void CancelledRunDoesNotStart()
    {
        using var model = Load(TestModels.HalfPlusTwo());
        using var input = Tensor.Rent(TensorDataType.Float, [1]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => model.Run(["x"], [input], ["y"], cancelled.Token));
    }

    [Fact]
    public void AFileThatIsNotOnnxFailsWithAClearError()
    {
        var file = TestModels.Publish(_directory.Path, "broken", 1, "not a model"u8.ToArray());
        var error = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(file, Cpu, NullLogger.Instance));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoProviderFallsBackToCpuWhereCudaCannotLoad()
    {
        // The CI and development machines have no GPU: "auto" must still serve, on the CPU.
        var file = TestModels.Publish(_directory.Path, "auto", 1, TestModels.HalfPlusTwo());
        using var model = OnnxModel.Load(file, new OnnxRuntimeOptions { ExecutionProvider = "auto" }, NullLogger.Instance);
        Assert.True(model.ExecutionProvider is "CPUExecutionProvider" or "CUDAExecutionProvider", model.ExecutionProvider);
    }

    public void Dispose() => _directory.Dispose();
}
