using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Tensors;

namespace ModelServer.LoadGen;

/// <summary>
/// The ceiling: the same requests straight into ONNX Runtime in this process, through the server's own
/// <see cref="OnnxModel"/> (same session options: CPU provider, ONNX Runtime's default thread counts).
/// </summary>
internal sealed class InProcessTarget : ILoadTarget
{
    private readonly OnnxModel _model;
    private string[] _inputNames = [];
    private Tensor[] _inputs = [];
    private string[] _outputNames = [];

    public InProcessTarget(string path, int intraOpThreads)
    {
        _model = OnnxModel.Load(path, new OnnxRuntimeOptions { ExecutionProvider = "cpu", IntraOpNumThreads = intraOpThreads }, NullLogger.Instance);
    }

    public string Name => "inprocess";

    public bool IsBlocking => true;

    public IReadOnlyList<(string Name, long[] Shape)> Signature => _model.Signature.Inputs.Select(i => (i.Name, i.Shape)).ToArray();

    public Task PrepareAsync(RequestInput input, CancellationToken cancellationToken)
    {
        _inputNames = input.Tensors.Select(t => t.Name).ToArray();
        _inputs = input.Tensors.Select(t => Tensor.Wrap(TensorDataType.Float, t.Shape, MemoryMarshal.AsBytes(t.Values.AsSpan()).ToArray())).ToArray();
        _outputNames = _model.Signature.Outputs.Select(o => o.Name).ToArray();
        return Task.CompletedTask;
    }

    public Task<string?> SendAsync(CancellationToken cancellationToken)
    {
        var outputs = _model.Run(_inputNames, _inputs, _outputNames, CancellationToken.None);
        foreach (var output in outputs)
        {
            output.Dispose();
        }

        return Task.FromResult<string?>(null);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _model.Dispose();
        return ValueTask.CompletedTask;
    }
}
