using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Audit;

/// <summary>
/// One admin action: who, when, what, and the entity's values before and after (JSON). Written by
/// <see cref="Data.NeighbourHubDbContext"/> for every change made while an admin is the actor, and
/// explicitly for actions that change no row (sign-in, export).
/// </summary>
public sealed class AuditLog
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public long? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    /// <summary>added / modified / deleted, or a verb such as "admin.login".</summary>
    public required string Action { get; set; }
    public string EntityType { get; set; } = "";
    public string? EntityId { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? TraceId { get; set; }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> b)
    {
        b.Property(x => x.ActorName).HasMaxLength(64);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.EntityType).HasMaxLength(64);
        b.Property(x => x.EntityId).HasMaxLength(64);
        b.Property(x => x.TraceId).HasMaxLength(64);
        b.HasIndex(x => x.At);
        b.HasIndex(x => new { x.EntityType, x.EntityId });
    }
}
