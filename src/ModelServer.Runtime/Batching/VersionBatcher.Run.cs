using System.Diagnostics;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

internal sealed partial class VersionBatcher
{
    /// <summary>
    /// Runs a formed batch on a batch thread, hands each slice its rows, then lets the next batch start: this thread
    /// goes on with the next ready batch itself rather than waking another.
    /// </summary>
    private void RunBatch(List<BatchSlice> slices)
    {
        for (var batch = slices; batch is not null;)
        {
            try
            {
                // Requests cancelled (deadline passed, client gone) after the batch was formed are dropped before any compute.
                var live = new List<BatchSlice>(batch.Count);
                foreach (var slice in batch)
                {
                    if (slice.Task.CancellationToken.IsCancellationRequested)
                    {
                        _metrics.RecordDropped(Id, ServingErrorCode.Cancelled);
                        PartFinished(slice, null, null);
                    }
                    else
                    {
                        live.Add(slice);
                    }
                }

                if (live.Count > 0)
                {
                    Execute(live, retryAlone: live.Count > 1);
                }
            }
            finally
            {
                List<List<BatchSlice>>? ready;
                lock (_gate)
                {
                    _running--;
                    ready = _disposed ? null : DispatchLocked();
                    RecordDepthLocked();
                }

                batch = null;
                if (ready is { Count: > 0 })
                {
                    batch = ready[0];
                    ready.RemoveAt(0);
                }

                Start(ready);
            }
        }
    }

    private void Execute(List<BatchSlice> slices, bool retryAlone)
    {
        var started = _time.GetTimestamp();
        var rows = slices.Sum(s => s.Rows);
        var mergeable = slices[0].Task.Key is not null;
        var batchSize = mergeable ? (int)Options.PaddedSize(rows) : rows;
        var servable = slices[0].Task.Servable;
        var task = slices[0].Task;
        Tensor[]? merged = null;
        IReadOnlyList<Tensor>? outputs = null;
        Tensor[][]? split = null;
        try
        {
            if (slices.Count == 1 && slices[0].IsWholeTask && batchSize == rows)
            {
                // Alone and unpadded: the caller's tensors go straight in and ONNX Runtime's outputs straight back (no copy).
                outputs = _executor.Run(servable, task.InputNames, task.Inputs, task.OutputNames, task.CancellationToken);
                split = [outputs as Tensor[] ?? outputs.ToArray()];
                outputs = null;
            }
            else
            {
                merged = BatchAssembler.MergeInputs(slices, batchSize);
                outputs = _executor.Run(servable, task.InputNames, merged, task.OutputNames, CancellationToken.None);
                split = BatchAssembler.SplitOutputs(outputs, slices, batchSize);
            }

            _metrics.RecordBatch(Id, new BatchRecord(slices.Count, rows, batchSize, _time.GetElapsedTime(started), Succeeded: true));
        }
        catch (Exception ex)
        {
            _metrics.RecordBatch(Id, new BatchRecord(slices.Count, rows, batchSize, _time.GetElapsedTime(started), Succeeded: false));
            if (retryAlone && ex is ServingException)
            {
                // One bad request must not fail the requests it was merged with: run each alone and let only it fail.
                BatchingLog.BatchFailedRetrying(_logger, Id.ModelName, Id.Version, slices.Count, ex.Message);
                foreach (var slice in slices)
                {
                    Execute([slice], retryAlone: false);
                }

                return;
            }

            foreach (var slice in slices)
            {
                PartFinished(slice, null, ex);
            }

            return;
        }
        finally
        {
            if (merged is not null)
            {
                foreach (var tensor in merged)
                {
                    tensor.Dispose();
                }
            }

            if (outputs is not null)
            {
                foreach (var tensor in outputs)
                {
                    tensor.Dispose();
                }
            }
        }

        for (var s = 0; s < slices.Count; s++)
        {
            PartFinished(slices[s], split[s], null);
        }
    }

    /// <summary>Records one finished part (outputs, error, or neither when dropped) and completes the task after its last part.</summary>
    private void PartFinished(BatchSlice slice, Tensor[]? outputs, Exception? error)
    {
        var task = slice.Task;
        lock (_gate)
        {
            task.InFlightParts--;
            if (task.Completed)
            {
                BatchAssembler.DisposeAll([outputs]);
                return;
            }

            if (outputs is not null)
            {
                task.Parts.Add((slice.Offset, outputs));
            }
            else if (error is not null)
            {
                task.Error ??= error;
                DropQueuedRest(task);
            }
            else
            {
                task.Cancelled = true;
                DropQueuedRest(task);
            }

            if (task.InFlightParts > 0 || (task.RemainingRows > 0 && !task.Cancelled && task.Error is null))
            {
                return;
            }

            task.Completed = true;
        }

        Complete(task);
    }

    /// <summary>The token's callback: a queued request leaves the queue at once; one in a running batch finishes with it.</summary>
    private void Cancel(BatchTask task)
    {
        lock (_gate)
        {
            if (task.Completed)
            {
                return;
            }

            task.Cancelled = true;
            if (task.Node is not null)
            {
                _metrics.RecordDropped(Id, ServingErrorCode.Cancelled);
            }

            DropQueuedRest(task);
            RecordDepthLocked();
            if (task.InFlightParts > 0)
            {
                return;
            }

            task.Completed = true;
        }

        Complete(task);
    }

    private void DropQueuedRest(BatchTask task)
    {
        if (task.Node is null)
        {
            return;
        }

        _queue.Remove(task.Node);
        task.Node = null;
        RemoveQueued(task, task.Key is null ? task.QueueCost : task.RemainingRows);
        task.NextRow = task.TotalRows;
    }

    /// <summary>Hands the task its result; runs outside the lock once no part of it is in flight.</summary>
    private static void Complete(BatchTask task)
    {
        task.Registration.Dispose();
        if (task.Error is not null || task.Cancelled)
        {
            BatchAssembler.DisposeAll(task.Parts.Select(p => p.Outputs));
            if (task.Error is not null)
            {
                task.Completion.TrySetException(task.Error);
            }
            else
            {
                task.Completion.TrySetCanceled(task.CancellationToken);
            }

            return;
        }

        Debug.Assert(task.Parts.Count > 0, "A completed task has at least one part.");
        try
        {
            var outputs = task.Parts.Count == 1 ? task.Parts[0].Outputs : BatchAssembler.Concat(task.Parts);
            if (task.Parts.Count > 1)
            {
                BatchAssembler.DisposeAll(task.Parts.Select(p => p.Outputs));
            }

            if (!task.Completion.TrySetResult(outputs))
            {
                BatchAssembler.DisposeAll([outputs]);
            }
        }
        catch (Exception ex)
        {
            BatchAssembler.DisposeAll(task.Parts.Select(p => p.Outputs));
            task.Completion.TrySetException(ex);
        }
    }
}
