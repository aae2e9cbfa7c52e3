namespace ModelServer.Runtime.Batching;

/// <summary>Rows [<paramref name="Offset"/>, <paramref name="Offset"/>+<paramref name="Rows"/>) of a task, taken into one batch.</summary>
internal readonly record struct BatchSlice(BatchTask Task, int Offset, int Rows)
{
    public bool IsWholeTask => Offset == 0 && Rows == Task.TotalRows;
}
