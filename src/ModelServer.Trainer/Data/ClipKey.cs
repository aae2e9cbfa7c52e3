using System.Text.RegularExpressions;

namespace ModelServer.Trainer.Data;

/// <summary>
/// Derives the clip a file belongs to from its name, so frames of one video (or augmented copies
/// of one photo) never end up on both sides of a train/validation split.
/// </summary>
public static partial class ClipKey
{
    /// <summary>
    /// Roboflow exports name files <c>{source}.rf.{hash}[_{n}].jpg</c>; every copy of one source is the
    /// same photo. A source taken from a video ends in <c>-{frame}_{ext}</c>
    /// (<c>IMG_5567_mp4-163_jpg</c>), plain files in <c>-{frame}</c> (<c>rock01-000.png</c>).
    /// </summary>
    public static string FromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string name = Path.GetFileNameWithoutExtension(fileName);
        int roboflow = name.IndexOf(".rf.", StringComparison.Ordinal);
        if (roboflow > 0)
        {
            name = name[..roboflow];
        }

        var match = FrameSuffix().Match(name);
        return match.Success ? match.Groups["clip"].Value : name;
    }

    /// <summary>
    /// The video a clip was cut from, the same for every class: Roboflow exports prefix a clip with its class
    /// (<c>rock.IMG_7077_MOV</c>, <c>paper.IMG_7077_MOV</c>: one person in one room), which this removes.
    /// </summary>
    public static string Video(string clip, string className)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(className);
        return clip.Length > className.Length + 1 && clip.StartsWith(className, StringComparison.OrdinalIgnoreCase) && clip[className.Length] == '.'
            ? clip[(className.Length + 1)..]
            : clip;
    }

    [GeneratedRegex(@"^(?<clip>.+?)-\d+(_(jpg|jpeg|png))?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FrameSuffix();
}
