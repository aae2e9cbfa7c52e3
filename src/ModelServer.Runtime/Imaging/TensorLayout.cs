namespace ModelServer.Runtime.Imaging;

/// <summary>Memory order of one image tensor: channels last (Keras, TF Serving clients) or first (PyTorch).</summary>
public enum TensorLayout
{
    Nhwc,
    Nchw,
}
