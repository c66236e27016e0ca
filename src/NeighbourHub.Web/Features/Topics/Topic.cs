using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Topics;

/// <summary>三事分流: how a topic is handled once sorted.</summary>
public enum TopicKind
{
    /// <summary>Not sorted yet.</summary>
    Unclassified,
    /// <summary>大事: decided by the owners' vote (业主大会).</summary>
    Major,
    /// <summary>小事: the committee or 议事会 decides and records the outcome.</summary>
    Minor,
    /// <summary>琐事: handed to the trustee (a repair or a service order).</summary>
    Routine,
}

public enum TopicStatus { Open, Accepted, InVote, Decided, Rejected, Closed }

/// <summary>How kinds and statuses are spelt on the wire (API.md) and read by people (Chinese).</summary>
public static class TopicTexts
{
    public static string Wire(TopicKind k) => k.ToString().ToLowerInvariant();

    public static string Wire(TopicStatus s) => s == TopicStatus.InVote ? "in_vote" : s.ToString().ToLowerInvariant();

    public static TopicKind? ParseKind(string? wire) => Enum.GetValues<TopicKind>().Select(k => (TopicKind?)k).FirstOrDefault(k => Wire(k!.Value) == wire);

    public static TopicStatus? ParseStatus(string? wire) => Enum.GetValues<TopicStatus>().Select(s => (TopicStatus?)s).FirstOrDefault(s => Wire(s!.Value) == wire);

    public const string KindWires = "unclassified、major、minor 或 routine";

    public const string StatusWires = "open、accepted、in_vote、decided、rejected 或 closed";

    public static string Name(TopicKind k) => k switch
    {
        TopicKind.Major => "大事",
        TopicKind.Minor => "小事",
        TopicKind.Routine => "琐事",
        _ => "未分流",
    };

    /// <summary>Who handles a kind, as the timeline and the console say it.</summary>
    public static string Route(TopicKind k) => k switch
    {
        TopicKind.Major => "提交业主大会表决",
        TopicKind.Minor => "由业委会或议事会协商决定",
        TopicKind.Routine => "转交受托物业办理",
        _ => "",
    };

    public static string Name(TopicStatus s) => s switch
    {
        TopicStatus.Open => "待分流",
        TopicStatus.Accepted => "已受理",
        TopicStatus.InVote => "业主表决中",
        TopicStatus.Decided => "已决定",
        TopicStatus.Rejected => "已驳回",
        _ => "已结案",
    };

    /// <summary>The steps of the public timeline.</summary>
    public static string Step(string action) => action switch
    {
        "raised" => "提出议题",
        "released" => "审核通过",
        "classified" => "三事分流",
        "handed_over" => "转交物业",
        "put_to_vote" => "提交业主表决",
        "decided" => "作出决定",
        "rejected" => "驳回",
        "closed" => "结案",
        "repair_status" => "报修进展",
        _ => action,
    };
}

/// <summary>
/// A matter raised by a resident (or the committee) for the estate to deliberate (议事): supported and discussed
/// by neighbours, sorted 三事分流 by the committee or the community, and followed on a public timeline to its outcome.
/// </summary>
public sealed class Topic
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public TopicKind Kind { get; set; }
    public TopicStatus Status { get; set; }

    /// <summary>Held by content screening for staff review: only its author and the estate's staff see it.</summary>
    public bool Held { get; set; }

    /// <summary>The resident who raised it; null when staff (the committee) raised it.</summary>
    public long? AuthorResidentId { get; set; }
    public long? AuthorAdminId { get; set; }
    /// <summary>How neighbours read the author: masked for residents (e.g. "3栋 王**"), name and role for staff.</summary>
    public required string AuthorName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Kept with each support and withdrawal in the same transaction as its row.</summary>
    public int Supporters { get; set; }

    public string? ClassificationNote { get; set; }
    public DateTimeOffset? ClassifiedAt { get; set; }
    public string? Outcome { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>Where the matter went: the owners' vote (major), the repair or service order (routine).</summary>
    public long? VoteId { get; set; }
    public long? RepairId { get; set; }
    public long? ServiceOrderId { get; set; }

    public long Version { get; set; }
}

/// <summary>One resident's support of a topic; the unique key makes it one each, races included.</summary>
public sealed class TopicSupport : IChildOf<Topic>
{
    public long Id { get; set; }
    public long TopicId { get; set; }
    public long ResidentId { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A neighbour's or staff member's comment; screened like the topic itself.</summary>
public sealed class TopicComment
{
    public long Id { get; set; }
    public long TopicId { get; set; }
    public long? ResidentId { get; set; }
    public long? AdminId { get; set; }
    public required string AuthorName { get; set; }
    public required string Text { get; set; }
    public bool Held { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One step of a topic's public timeline (raised, sorted, put to the vote, decided…).</summary>
public sealed class TopicStep : IChildOf<Topic>
{
    public long Id { get; set; }
    public long TopicId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Action { get; set; }
    public required string Actor { get; set; }
    public string Note { get; set; } = "";
}

internal sealed class TopicConfiguration :
    IEntityTypeConfiguration<Topic>, IEntityTypeConfiguration<TopicSupport>, IEntityTypeConfiguration<TopicComment>, IEntityTypeConfiguration<TopicStep>
{
    public void Configure(EntityTypeBuilder<Topic> b)
    {
        b.ToTable("Topics");
        b.Property(x => x.Title).HasMaxLength(60);
        b.Property(x => x.Body).HasMaxLength(2000);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.AuthorName).HasMaxLength(64);
        b.Property(x => x.ClassificationNote).HasMaxLength(500);
        b.Property(x => x.Outcome).HasMaxLength(1000);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.EstateId, x.Status, x.CreatedAt });
        b.HasIndex(x => x.VoteId);
    }

    public void Configure(EntityTypeBuilder<TopicSupport> b)
    {
        b.ToTable("TopicSupports");
        b.HasOne<Topic>().WithMany().HasForeignKey(x => x.TopicId);
        b.HasIndex(x => new { x.TopicId, x.ResidentId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<TopicComment> b)
    {
        b.ToTable("TopicComments");
        b.Property(x => x.AuthorName).HasMaxLength(64);
        b.Property(x => x.Text).HasMaxLength(500);
        b.HasOne<Topic>().WithMany().HasForeignKey(x => x.TopicId);
        b.HasIndex(x => new { x.TopicId, x.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<TopicStep> b)
    {
        b.ToTable("TopicSteps");
        b.Property(x => x.Action).HasMaxLength(32);
        b.Property(x => x.Actor).HasMaxLength(64);
        b.Property(x => x.Note).HasMaxLength(1000);
        b.HasOne<Topic>().WithMany().HasForeignKey(x => x.TopicId);
        b.HasIndex(x => new { x.TopicId, x.At });
    }
}
