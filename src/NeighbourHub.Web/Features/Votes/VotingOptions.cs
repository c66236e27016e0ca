namespace NeighbourHub.Web.Features.Votes;

/// <summary>The <c>Voting</c> configuration section.</summary>
public sealed class VotingOptions
{
    public const string SectionName = "Voting";

    /// <summary>Days an art. 278 vote is announced before it opens (local rules: at least 15).</summary>
    public int NoticeDays { get; set; } = 15;

    /// <summary>How many owners one person may vote for by proxy (委托投票) in one vote.</summary>
    public int MaxProxiesPerPerson { get; set; } = 3;

    /// <summary>Days the results notice stays up at least (公示).</summary>
    public int ResultNoticeDays { get; set; } = 15;

    /// <summary>Seconds between each instance's look for votes to open or close. Zero disables the loop (tests run it by hand).</summary>
    public double PollSeconds { get; set; } = 30;
}
