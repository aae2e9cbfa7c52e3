namespace ModelServer.Runtime.Tensors;

/// <summary>Element types the Runtime carries. Protocol adapters map their own type codes onto these.</summary>
public enum TensorDataType
{
    Invalid = 0,
    Float,
    Double,
    Float16,
    BFloat16,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Bool,
    String,
}
