using System.Buffers;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>
/// A <c>PredictRequest</c> as the Predict handler receives it, with the arrays behind its inputs'
/// <c>tensor_content</c>. The handler owns it for the call: the inputs are borrowed by the Runtime until
/// <c>PredictAsync</c> completes (a request in a running batch completes when that batch ends), and only then
/// does <see cref="Dispose"/> give the arrays back to <see cref="ArrayPool{T}.Shared"/>. One that is never disposed
/// (a call torn down before the handler ran) just leaves its arrays to the GC.
/// </summary>
internal sealed class PooledPredictRequest(PredictRequest request, List<byte[]> rented) : IDisposable
{
    private List<byte[]>? _rented = rented;

    public PredictRequest Request { get; } = request;

    /// <summary>How many arrays were rented (one per input carried in <c>tensor_content</c>).</summary>
    public int RentedCount => _rented?.Count ?? 0;

    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is null)
        {
            return;
        }

        foreach (var array in rented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
