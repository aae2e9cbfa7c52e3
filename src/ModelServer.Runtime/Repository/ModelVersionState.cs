namespace ModelServer.Runtime.Repository;

/// <summary>A version's life, with TF Serving's numbering so status maps straight onto its enum.</summary>
public enum ModelVersionState
{
    Unknown = 0,
    Start = 10,
    Loading = 20,
    Available = 30,
    Unloading = 40,
    End = 50,
}
