namespace ModelServer.Runtime.Imaging;

/// <summary>
/// Keys of the ONNX <c>metadata_props</c> that describe a model's image input. The trainer writes
/// them and the server reads them, so both sides share these names.
/// </summary>
public static class ImageMetadataKeys
{
    public const string Labels = "labels";
    public const string ImageSize = "image_size";
    public const string ImageWidth = "image_width";
    public const string ImageHeight = "image_height";
    public const string Layout = "layout";
    public const string Scale = "scale";
    public const string Mean = "mean";
    public const string Std = "std";
    public const string ColorOrder = "color_order";
    public const string Resize = "resize";
}
