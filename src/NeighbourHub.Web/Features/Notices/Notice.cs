using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Notices;

/// <summary>Who a notice is for: a whole community, one estate, or one building.</summary>
public enum NoticeScopeLevel { Community, Estate, Building }

/// <summary>
/// A notice (公告) staff publish to a community, estate or building: pinned or not, now or at a set time, with
/// attachments; read receipts are kept per resident and counted per flat. Votes publish their announcements
/// and results (公示) here too.
/// </summary>
public sealed class Notice
{
    public long Id { get; set; }
    public NoticeScopeLevel ScopeLevel { get; set; }
    /// <summary>Always set: the community the scope lies in, so every notice filters on one column at least.</summary>
    public long CommunityId { get; set; }
    /// <summary>Set for estate and building notices.</summary>
    public long? EstateId { get; set; }
    /// <summary>Set for building notices.</summary>
    public long? BuildingId { get; set; }

    public required string Title { get; set; }
    public required string Body { get; set; }
    public bool Pinned { get; set; }

    /// <summary>When residents first see it (now, or a scheduled time).</summary>
    public DateTimeOffset PublishAt { get; set; }
    /// <summary>公示: it may not be withdrawn before this time (vote results stay up 15 days).</summary>
    public DateTimeOffset? KeepUntil { get; set; }
    public DateTimeOffset? WithdrawnAt { get; set; }

    /// <summary>Whether residents in scope get a subscribe message when it is published.</summary>
    public bool Notify { get; set; }
    /// <summary>When the subscribe messages were queued (once, at publication).</summary>
    public DateTimeOffset? NotifiedAt { get; set; }
    /// <summary>The last reminder to the unread (at most one a day).</summary>
    public DateTimeOffset? RemindedAt { get; set; }

    /// <summary>The vote this notice announces or whose results it publishes, if any.</summary>
    public long? VoteId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public long? CreatedByAdminId { get; set; }
    /// <summary>How residents read who published it (name and office), never a login name.</summary>
    public required string CreatedByName { get; set; }
}

public sealed class NoticeAttachment : IChildOf<Notice>
{
    public long Id { get; set; }
    public long NoticeId { get; set; }
    /// <summary>Lets a notice and its attachments be added together and saved in one go.</summary>
    public Notice? Notice { get; set; }
    public required string FileId { get; set; }
    public int Ordinal { get; set; }
}

/// <summary>
/// A resident opened the notice: recorded once (unique per notice and resident). Who sees it is hand-written in
/// TenancyRules: its reader, and the staff of its notice — not every resident who sees the notice.
/// </summary>
public sealed class NoticeRead
{
    public long Id { get; set; }
    public long NoticeId { get; set; }
    public long ResidentId { get; set; }
    public DateTimeOffset At { get; set; }
}

internal sealed class NoticeConfiguration :
    IEntityTypeConfiguration<Notice>, IEntityTypeConfiguration<NoticeAttachment>, IEntityTypeConfiguration<NoticeRead>
{
    public void Configure(EntityTypeBuilder<Notice> b)
    {
        b.ToTable("Notices");
        b.Property(x => x.ScopeLevel).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Title).HasMaxLength(100);
        b.Property(x => x.Body).HasMaxLength(10000);
        b.Property(x => x.CreatedByName).HasMaxLength(64);
        b.HasIndex(x => new { x.CommunityId, x.PublishAt });
        b.HasIndex(x => new { x.EstateId, x.PublishAt });
        b.HasIndex(x => new { x.BuildingId, x.PublishAt });
        b.HasIndex(x => x.VoteId);
    }

    public void Configure(EntityTypeBuilder<NoticeAttachment> b)
    {
        b.ToTable("NoticeAttachments");
        b.Property(x => x.FileId).HasMaxLength(32);
        b.HasOne(x => x.Notice).WithMany().HasForeignKey(x => x.NoticeId);
        b.HasIndex(x => new { x.NoticeId, x.FileId }).IsUnique();
        b.HasIndex(x => x.FileId);
    }

    public void Configure(EntityTypeBuilder<NoticeRead> b)
    {
        b.ToTable("NoticeReads");
        b.HasOne<Notice>().WithMany().HasForeignKey(x => x.NoticeId);
        b.HasIndex(x => new { x.NoticeId, x.ResidentId }).IsUnique();
    }
}
