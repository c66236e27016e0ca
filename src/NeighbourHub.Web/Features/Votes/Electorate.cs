using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Votes;

/// <summary>
/// Who votes, frozen when voting opens (art. 9 of the SPC interpretation on 建筑物区分所有权):
/// <list type="bullet">
/// <item>every flat of the estate counts — the denominators are the whole estate's area and headcount, not only the
/// owners who use the app; a flat without an approved owner in the app is a voter of its own and votes on paper;</item>
/// <item>the approved owners of one flat are one voter (共有人 cast one ballot);</item>
/// <item>an owner of several flats is one voter whose area is their sum — and because co-owners chain (A and B own
/// 101, A also owns 102), a voter is a connected group of owners and flats;</item>
/// <item>every flat still held by the developer (<see cref="Organisation.Household.HeldByDeveloper"/>) belongs to one
/// voter together, whoever else claims it.</item>
/// </list>
/// An owner is a resident account: one person registered under two WeChat accounts would count twice, which staff
/// prevent when they approve residences.
/// </summary>
public static class Electorate
{
    public sealed record Flat(long HouseholdId, string Address, long AreaCenti, bool HeldByDeveloper);

    public sealed record Owner(long ResidentId, long HouseholdId, string RealName);

    /// <summary>One voter of the frozen electorate with its flats and the residents who may cast its online ballot.</summary>
    public sealed record Group(IReadOnlyList<Flat> Flats, IReadOnlyList<long> Members, IReadOnlyList<string> OwnerNames, bool IsDeveloper)
    {
        public long AreaCenti => Flats.Sum(f => f.AreaCenti);
    }

    /// <summary>Groups flats and owners into voters (pure, so the grouping is unit-tested on its own).</summary>
    public static List<Group> GroupVoters(IReadOnlyList<Flat> flats, IReadOnlyList<Owner> owners)
    {
        var developer = flats.Where(f => f.HeldByDeveloper).ToList();
        var others = flats.Where(f => !f.HeldByDeveloper).ToList();
        var flatIndex = others.Select((f, i) => (f.HouseholdId, i)).ToDictionary(x => x.HouseholdId, x => x.i);
        var claims = owners.Where(o => flatIndex.ContainsKey(o.HouseholdId)).ToList();
        var residentIndex = claims.Select(o => o.ResidentId).Distinct().Select((r, i) => (r, i)).ToDictionary(x => x.r, x => others.Count + x.i);

        // Union-find over flats (0..n-1) and residents (n..): an ownership joins a flat and a resident.
        var parent = Enumerable.Range(0, others.Count + residentIndex.Count).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        foreach (var o in claims)
        {
            var (a, b) = (Find(flatIndex[o.HouseholdId]), Find(residentIndex[o.ResidentId]));
            if (a != b)
            {
                parent[Math.Max(a, b)] = Math.Min(a, b);
            }
        }

        var claimsOf = claims.ToLookup(o => Find(flatIndex[o.HouseholdId]));
        var groups = new List<Group>();
        foreach (var component in Enumerable.Range(0, others.Count).GroupBy(Find).OrderBy(g => g.Min()))
        {
            var members = claimsOf[component.Key].ToList();
            groups.Add(new Group(
                component.Select(i => others[i]).ToList(),
                members.Select(o => o.ResidentId).Distinct().Order().ToList(),
                members.Select(o => o.RealName).Distinct().ToList(),
                IsDeveloper: false));
        }

        if (developer.Count > 0)
        {
            groups.Add(new Group(developer, [], ["开发建设单位"], IsDeveloper: true));
        }

        return groups;
    }

    /// <summary>
    /// Reads the estate's flats and approved owners and writes the frozen electorate of the vote (inside the caller's
    /// transaction, with a context that sees every row of the estate). Returns its totals.
    /// </summary>
    public static async Task<Weight> FreezeAsync(NeighbourHubDbContext db, Vote vote, CancellationToken ct)
    {
        var flats = await (
                from h in db.Households.AsNoTracking()
                where h.EstateId == vote.EstateId
                join b in db.Buildings on h.BuildingId equals b.Id
                join u in db.Units on h.UnitId equals u.Id
                orderby b.Name, u.Name, h.Room
                select new { h.Id, Address = b.Name + u.Name + h.Room, h.AreaM2, h.HeldByDeveloper })
            .ToListAsync(ct);
        var owners = await db.Residences.AsNoTracking()
            .Where(r => r.EstateId == vote.EstateId && r.Relation == ResidenceRelation.Owner && r.Status == ResidenceStatus.Approved)
            .Select(r => new Owner(r.ResidentId, r.HouseholdId, r.RealName))
            .ToListAsync(ct);
        var groups = GroupVoters(flats.Select(f => new Flat(f.Id, f.Address, VoteRules.Centi(f.AreaM2), f.HeldByDeveloper)).ToList(), owners);

        var voters = groups.Select(g => new Voter
        {
            VoteId = vote.Id,
            EstateId = vote.EstateId,
            Flats = (g.IsDeveloper ? $"开发建设单位持有（共 {g.Flats.Count} 户）：{string.Join("、", g.Flats.Select(f => f.Address))}" : string.Join("、", g.Flats.Select(f => f.Address))).Clip(2000),
            Owners = (g.OwnerNames.Count == 0 ? "（未在线登记）" : string.Join("、", g.OwnerNames)).Clip(500),
            FlatCount = g.Flats.Count,
            AreaCenti = g.AreaCenti,
            IsDeveloper = g.IsDeveloper,
        }).ToList();
        db.Voters.AddRange(voters);
        await db.SaveChangesAsync(ct);

        for (var i = 0; i < groups.Count; i++)
        {
            db.VoterFlats.AddRange(groups[i].Flats.Select(f => new VoterFlat
            {
                VoteId = vote.Id,
                EstateId = vote.EstateId,
                VoterId = voters[i].Id,
                HouseholdId = f.HouseholdId,
                AreaCenti = f.AreaCenti,
            }));
            db.VoterMembers.AddRange(groups[i].Members.Select(r => new VoterMember { VoteId = vote.Id, EstateId = vote.EstateId, VoterId = voters[i].Id, ResidentId = r }));
        }

        await db.SaveChangesAsync(ct);
        return new Weight(voters.Count, voters.Sum(v => v.AreaCenti));
    }
}
