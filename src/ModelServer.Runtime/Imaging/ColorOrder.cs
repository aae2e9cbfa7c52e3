namespace ModelServer.Runtime.Imaging;

/// <summary>Channel order the model expects.</summary>
public enum ColorOrder
{
    Rgb,
    Bgr,
}
