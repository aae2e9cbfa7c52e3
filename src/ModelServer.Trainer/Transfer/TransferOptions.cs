using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// What a transfer run needs besides the common training options: the backbone file, how many augmented copies of
/// each training image to extract features for, the head's hidden width (0: one dense layer), and the optional
/// fine-tuning of the backbone's last stages, and the folds of a cross-validation (0: none) with what each fold keeps whole.
/// </summary>
public sealed record TransferOptions(
    string BackbonePath, int FeatureCopies, int HeadHidden = 0, int FineTuneEpochs = 0, int FineTuneStages = 1, int Folds = 0, FoldUnit FoldBy = FoldUnit.Clip);
