using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Notifications;

/// <summary>
/// Something to do after a transaction commits, written in that transaction: a subscribe message to
/// send, or a domain event another feature consumes. <see cref="Key"/> is unique, so producing the
/// same message twice (a replayed request, a retried job) stores it once.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The outcome of a message whose attempts ran out: a dead letter (counted by health and metrics).</summary>
    public const string DeadLetter = "failed";

    public long Id { get; set; }
    public required string Topic { get; set; }
    public required string Key { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Not before this time (backoff after a failed attempt).</summary>
    public DateTimeOffset AvailableAt { get; set; }
    /// <summary>Claimed by a dispatcher until this time; another instance may take it over afterwards.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    /// <summary>sent, no_quota, rejected:&lt;errcode&gt;, skipped:…, failed:… — what finally happened.</summary>
    public string? Outcome { get; set; }
    public string? LastError { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("OutboxMessages");
        b.Property(x => x.Topic).HasMaxLength(64);
        b.Property(x => x.Key).HasMaxLength(160);
        b.Property(x => x.LockedBy).HasMaxLength(64);
        b.Property(x => x.Outcome).HasMaxLength(64);
        b.Property(x => x.LastError).HasMaxLength(500);
        b.HasIndex(x => x.Key).IsUnique();
        b.HasIndex(x => new { x.ProcessedAt, x.Topic, x.AvailableAt });
    }
}
