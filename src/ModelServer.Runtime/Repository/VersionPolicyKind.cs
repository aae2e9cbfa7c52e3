namespace ModelServer.Runtime.Repository;

public enum VersionPolicyKind
{
    Latest,
    All,
    Specific,
}
