namespace ModelServer.Trainer.Transfer.TfLite;

/// <summary>The TensorFlow Lite builtin operator codes (schema.fbs <c>BuiltinOperator</c>) the converter knows.</summary>
public static class TfLiteBuiltin
{
    public const int Add = 0;
    public const int Conv2D = 3;
    public const int DepthwiseConv2D = 4;
    public const int Dequantize = 6;
    public const int FullyConnected = 9;
    public const int Logistic = 14;
    public const int Mean = 40;

    /// <summary>Fused activations (schema.fbs <c>ActivationFunctionType</c>).</summary>
    public const int ActivationNone = 0;
    public const int ActivationRelu = 1;
    public const int ActivationReluN1To1 = 2;
    public const int ActivationRelu6 = 3;

    /// <summary>Padding (schema.fbs <c>Padding</c>).</summary>
    public const int PaddingSame = 0;
    public const int PaddingValid = 1;
}
