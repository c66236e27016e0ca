using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Topics;

/// <summary>
/// The one writer of topics (议事) and their supports, comments and timeline. Other features reach a topic only
/// through it: the owners' vote that decides a major topic calls <see cref="PutToVoteAsync"/> and
/// <see cref="DecideByVoteAsync"/> inside its own transaction.
/// </summary>
public sealed class TopicBoard(TimeProvider clock)
{
    /// <summary>
    /// A vote was created for this topic: it must be a major matter (大事) of the same estate, not yet decided.
    /// Adds the change and its timeline step to the context; the caller saves them with the vote.
    /// </summary>
    public async Task PutToVoteAsync(NeighbourHubDbContext db, long topicId, long estateId, long voteId, string actor, CancellationToken ct)
    {
        var topic = await db.Topics.SingleOrDefaultAsync(t => t.Id == topicId && t.EstateId == estateId, ct) ?? throw new NotFoundException("议题");
        if (topic.Kind != TopicKind.Major || topic.Status != TopicStatus.Accepted || topic.VoteId is not null)
        {
            throw new ConflictException("只有已分流为“大事”且尚未表决的议题可以发起业主表决。");
        }

        topic.Status = TopicStatus.InVote;
        topic.VoteId = voteId;
        topic.Version++;
        db.TopicSteps.Add(new TopicStep { TopicId = topicId, At = clock.GetUtcNow(), Action = "put_to_vote", Actor = actor, Note = "提交业主大会表决" });
    }

    /// <summary>The vote deciding this topic closed: the topic is decided with the vote's result as its outcome.</summary>
    public async Task DecideByVoteAsync(NeighbourHubDbContext db, long topicId, string outcome, CancellationToken ct)
    {
        var topic = await db.Topics.SingleOrDefaultAsync(t => t.Id == topicId, ct);
        if (topic is null || topic.Status != TopicStatus.InVote)
        {
            return;
        }

        var now = clock.GetUtcNow();
        topic.Status = TopicStatus.Decided;
        topic.Outcome = outcome;
        topic.DecidedAt = now;
        topic.Version++;
        db.TopicSteps.Add(new TopicStep { TopicId = topicId, At = now, Action = "decided", Actor = "业主大会", Note = outcome });
    }
}
