namespace ModelServer.Trainer.Models;

public enum OptimizerKind
{
    /// <summary>What the Keras RPS example compiles with.</summary>
    RmsProp,
    AdamW,
}
