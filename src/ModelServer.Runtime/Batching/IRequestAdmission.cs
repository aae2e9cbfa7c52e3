using ModelServer.Runtime.Repository;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// A cheap check a transport makes before it spends work on a request body: when the version's batch queue is
/// already full the request is turned away at once (UNAVAILABLE / 503), instead of after its body was read and
/// parsed. The queue itself still checks again when the request arrives.
/// </summary>
public interface IRequestAdmission
{
    void ThrowIfQueueFull(ServableHandle servable);
}
