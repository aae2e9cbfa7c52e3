namespace ModelServer.Runtime.Batching;

/// <summary>One batch run: how many requests and rows it merged, the size it ran at, and how long the model took.</summary>
/// <param name="Requests">Requests (or parts of split ones) merged into the batch.</param>
/// <param name="Rows">Rows the requests brought.</param>
/// <param name="BatchSize">Rows the model ran: <paramref name="Rows"/> plus padding up to an allowed batch size.</param>
/// <param name="RunTime">Time spent merging, running and splitting.</param>
/// <param name="Succeeded">False when the run failed (every request in it got the error).</param>
public readonly record struct BatchRecord(int Requests, int Rows, int BatchSize, TimeSpan RunTime, bool Succeeded)
{
    public int PaddingRows => BatchSize - Rows;
}
