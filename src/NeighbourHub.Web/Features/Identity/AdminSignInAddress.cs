using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>
/// One account name at one client address: its recent failures, its lockout, and its last success. Failures
/// are counted per (name, address), never per account alone: a stranger who knows an admin's name can lock
/// that name out of their own address only, not out of the office. Unknown names are counted the same way,
/// so a locked name and an unknown one answer alike and account names cannot be enumerated. A recent success
/// makes the address "known" for the name: while the name is under attack from many addresses, known
/// addresses still sign in (see <see cref="AdminSignIn"/>).
/// </summary>
public sealed class AdminSignInAddress
{
    public long Id { get; set; }

    /// <summary>The user name as typed, normalised like Identity's (upper-case, trimmed, at most 64 characters).</summary>
    public string UserName { get; set; } = "";

    public string ClientAddress { get; set; } = "";

    public int Failures { get; set; }

    public DateTimeOffset FirstFailureAt { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset? LastSucceededAt { get; set; }
}

internal sealed class AdminSignInAddressConfiguration : IEntityTypeConfiguration<AdminSignInAddress>
{
    public void Configure(EntityTypeBuilder<AdminSignInAddress> b)
    {
        b.Property(x => x.UserName).HasMaxLength(64);
        b.Property(x => x.ClientAddress).HasMaxLength(45);
        b.HasIndex(x => new { x.UserName, x.ClientAddress }).IsUnique();
    }
}
