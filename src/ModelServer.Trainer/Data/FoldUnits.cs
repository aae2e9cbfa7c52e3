namespace ModelServer.Trainer.Data;

/// <summary><see cref="FoldUnit"/> as the command line and the training log spell it: clip, video, photo.</summary>
public static class FoldUnits
{
    private static readonly (FoldUnit Unit, string Name)[] Names = [(FoldUnit.Clip, "clip"), (FoldUnit.Video, "video"), (FoldUnit.Photo, "photo")];

    public static string Name(FoldUnit unit) =>
        Array.Find(Names, n => n.Unit == unit).Name ?? throw new ArgumentOutOfRangeException(nameof(unit), unit, null);

    public static bool TryParse(string? text, out FoldUnit unit)
    {
        foreach (var (candidate, name) in Names)
        {
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
            {
                unit = candidate;
                return true;
            }
        }

        unit = FoldUnit.Clip;
        return false;
    }
}
