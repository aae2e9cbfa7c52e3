namespace ModelServer.Trainer.Data;

/// <summary>What a cross-validation keeps whole on one side of each fold.</summary>
public enum FoldUnit
{
    /// <summary>Every frame of a clip (and every copy of one photo) in one fold, per class: new clips of known people.</summary>
    Clip,

    /// <summary>
    /// A whole video across classes (<c>rock.IMG_7077_MOV</c> and <c>paper.IMG_7077_MOV</c> together): new people and
    /// rooms, the strictest estimate.
    /// </summary>
    Video,

    /// <summary>
    /// Each photo on its own, per class: frames of one clip on both sides, so optimistic. What a test set cut at random
    /// from the same clips as the training set would show.
    /// </summary>
    Photo,
}
