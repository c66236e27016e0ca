namespace NeighbourHub.Web.Features.Identity;

/// <summary>Configuration section <c>Jwt</c>.</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    /// <summary>
    /// HMAC-SHA256 key, at least 32 bytes of text. Required in Production (all instances share it);
    /// elsewhere a random key is made at start when empty, so tokens end with the process.
    /// </summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "neighbourhub";

    public int ResidentAccessTokenMinutes { get; set; } = 30;

    public int RefreshTokenDays { get; set; } = 30;

    public int AdminAccessTokenMinutes { get; set; } = 60;
}

/// <summary>Claim types and values NeighbourHub puts in its tokens and cookies.</summary>
public static class AuthClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Kind = "nh:kind";
    public const string Role = "nh:role";
    public const string ResidentKind = "resident";
    public const string AdminKind = "admin";

    public const string ResidentAudience = "neighbourhub-resident";
    public const string AdminAudience = "neighbourhub-admin";
}

/// <summary>Authentication scheme names.</summary>
public static class AuthSchemes
{
    public const string Resident = "ResidentBearer";
    public const string Admin = "AdminBearer";
    public const string AdminCookie = "AdminCookie";
    /// <summary>Picks one of the three by path, so HttpContext.User is right before authorization runs.</summary>
    public const string ByPath = "ByPath";
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string Resident = "Resident";
    public const string Admin = "Admin";
    public const string ManageAccounts = "Admin.ManageAccounts";
    public const string ManageOrganisation = "Admin.ManageOrganisation";
    public const string VerifyResidents = "Admin.VerifyResidents";
    public const string ReadAuditLog = "Admin.ReadAuditLog";
    /// <summary>Fee items, bill runs, offline payments and refunds: the property firm and the community.</summary>
    public const string ManageBilling = "Admin.ManageBilling";
    /// <summary>The time bank — points, rewards, volunteers, service orders — is the community office's (ADR 0004).</summary>
    public const string ManageTimeBank = "Admin.ManageTimeBank";
    /// <summary>Creating, editing, publishing, cancelling events and checking in: not the owners' committee, which only reads them.</summary>
    public const string ManageEvents = "Admin.ManageEvents";
}
