using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Search;

/// <summary>One thing found: what it is (Chinese), a line about it, and the console page that opens it.</summary>
public sealed record SearchHit(string Title, string Detail, string Url);

/// <param name="Kind">household, resident, payment, receipt or repair.</param>
/// <param name="Label">The kind in Chinese, as the results page heads the group.</param>
public sealed record SearchGroup(string Kind, string Label, IReadOnlyList<SearchHit> Hits);

public sealed record SearchResults(string Query, IReadOnlyList<SearchGroup> Groups);

/// <summary>
/// "Search everywhere" for staff: a flat ("3-2-501", "3栋2单元501", or a room), a resident's name, the last four digits
/// (or all eleven) of a phone, a payment order number, a receipt number or a repair number — always through the
/// tenancy-filtered sets, so nothing outside the caller's scope is ever found. Each kind is one query on an index
/// (prefix or equality: room, name, phone tail, order and receipt numbers, the repair's key), never a scan; the
/// kinds the text cannot be are not queried at all.
/// </summary>
public static partial class SearchQueries
{
    public const int MaxQueryLength = 50;

    /// <summary>The most hits of each kind a search returns.</summary>
    public const int PerKind = 10;

    [GeneratedRegex(@"^\d{4}$")]
    private static partial Regex PhoneTail();

    [GeneratedRegex(@"^1\d{10}$")]
    private static partial Regex FullPhone();

    [GeneratedRegex(@"^(#|报修|报修单|BX)?\s*(?<id>\d{1,12})$", RegexOptions.IgnoreCase)]
    private static partial Regex RepairNumber();

    [GeneratedRegex(@"^(NH|OFF)[0-9A-Z]{4,}$")]
    private static partial Regex OrderNumber();

    [GeneratedRegex(@"^NH-\d{4}")]
    private static partial Regex ReceiptNumber();

    [GeneratedRegex(@"^\p{IsCJKUnifiedIdeographs}[\p{IsCJKUnifiedIdeographs}·]{0,9}$")]
    private static partial Regex ChineseName();

    public static async Task<SearchResults> SearchAsync(NeighbourHubDbContext db, string? query, CancellationToken ct)
    {
        var q = (query ?? "").Trim();
        var groups = new List<SearchGroup>();
        if (q.Length == 0)
        {
            return new SearchResults(q, groups);
        }

        var scope = db.Scope.Value;
        var fullNames = ResidenceQueries.MayRevealContacts(scope);
        var upper = q.ToUpperInvariant();

        if (FlatQuery.Parse(q) is not null)
        {
            Add("household", "房屋", await HouseholdsAsync(db, q, ct));
        }

        if (ChineseName().IsMatch(q))
        {
            Add("resident", "住户", await ResidentsAsync(db, r => r.RealName.StartsWith(q), null, fullNames, ct));
        }
        else if (PhoneTail().IsMatch(q))
        {
            Add("resident", "住户", await ResidentsAsync(db, null, p => p.PhoneTail == q, fullNames, ct));
        }
        else if (FullPhone().IsMatch(q))
        {
            var tail = q[^4..];
            Add("resident", "住户", await ResidentsAsync(db, null, p => p.PhoneTail == tail && p.PhoneNumber == q, fullNames, ct));
        }

        // Fee payments are the billing staff's (the committee reads the fund, not the cash desk).
        if (scope.Unrestricted || scope.Has(AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff))
        {
            if (OrderNumber().IsMatch(upper))
            {
                Add("payment", "缴费订单", await PaymentsAsync(db, p => p.OutTradeNo.StartsWith(upper), byReceipt: false, ct));
            }

            if (ReceiptNumber().IsMatch(upper))
            {
                Add("receipt", "收据", await PaymentsAsync(db, p => p.ReceiptNo!.StartsWith(upper), byReceipt: true, ct));
            }
        }

        if (RepairNumber().Match(q) is { Success: true } m && long.TryParse(m.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var repairId))
        {
            Add("repair", "报修", await RepairAsync(db, repairId, ct));
        }

        return new SearchResults(q, groups);

        void Add(string kind, string label, List<SearchHit> hits)
        {
            if (hits.Count > 0)
            {
                groups.Add(new SearchGroup(kind, label, hits));
            }
        }
    }

    /// <summary>The roster page of a flat: where a flat or its resident opens.</summary>
    public static string RosterUrl(long estateId, long householdId) =>
        string.Create(CultureInfo.InvariantCulture, $"/admin/estates/{estateId}/roster?household={householdId}");

    private static async Task<List<SearchHit>> HouseholdsAsync(NeighbourHubDbContext db, string q, CancellationToken ct)
    {
        var flats = await OrganisationQueries.FindHouseholdsAsync(db, null, q, PerKind, ct);
        var ids = flats.Select(f => f.Id).ToList();
        var residents = await db.Residences.Where(r => ids.Contains(r.HouseholdId) && r.Status == ResidenceStatus.Approved)
            .GroupBy(r => r.HouseholdId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return flats.Select(f => new SearchHit($"{f.EstateName} {f.Address}",
            $"建筑面积 {f.AreaM2:0.00} m² · 已认证住户 {residents.GetValueOrDefault(f.Id)} 人", RosterUrl(f.EstateId, f.Id))).ToList();
    }

    private static async Task<List<SearchHit>> ResidentsAsync(NeighbourHubDbContext db,
        System.Linq.Expressions.Expression<Func<Residence, bool>>? residence, System.Linq.Expressions.Expression<Func<Resident, bool>>? person,
        bool fullNames, CancellationToken ct)
    {
        var residences = db.Residences.Where(r => r.Status != ResidenceStatus.Rejected);
        if (residence is not null)
        {
            residences = residences.Where(residence);
        }

        var people = person is null ? db.Residents : db.Residents.Where(person);
        var rows = await (from r in residences
                          join p in people on r.ResidentId equals p.Id
                          join h in db.Households on r.HouseholdId equals h.Id
                          join u in db.Units on h.UnitId equals u.Id
                          join b in db.Buildings on h.BuildingId equals b.Id
                          join e in db.Estates on r.EstateId equals e.Id
                          orderby r.RealName, r.Id
                          select new { r.RealName, r.Relation, r.Status, p.PhoneNumber, r.EstateId, r.HouseholdId, Estate = e.Name, Address = b.Name + u.Name + h.Room })
            .Take(PerKind).ToListAsync(ct);
        return rows.Select(r => new SearchHit(
            $"{(fullNames ? r.RealName : NameMasking.Mask(r.RealName))}（{StatusTexts.Of(r.Relation)}{(r.Status == ResidenceStatus.Pending ? "，待审核" : "")}）",
            $"{r.Estate} {r.Address}{(PhoneMasking.Mask(r.PhoneNumber) is { } m ? " · " + m : "")}", RosterUrl(r.EstateId, r.HouseholdId))).ToList();
    }

    private static async Task<List<SearchHit>> PaymentsAsync(NeighbourHubDbContext db,
        System.Linq.Expressions.Expression<Func<Payments.Payment, bool>> match, bool byReceipt, CancellationToken ct)
    {
        var rows = await (from p in db.Payments.Where(match)
                          join e in db.Estates on p.EstateId equals e.Id
                          orderby p.CreatedAt descending
                          select new { p.Id, p.OutTradeNo, p.ReceiptNo, p.AmountFen, p.Status, p.CreatedAt, p.PaidAt, Estate = e.Name })
            .Take(PerKind).ToListAsync(ct);
        return rows.Select(p => new SearchHit(
            byReceipt ? $"收据 {p.ReceiptNo}" : $"订单 {p.OutTradeNo}",
            $"{p.Estate} · {Money.Yuan(p.AmountFen)} 元 · {StatusTexts.Of(p.Status)} · {(p.PaidAt ?? p.CreatedAt).Show()}",
            p.ReceiptNo is not null ? string.Create(CultureInfo.InvariantCulture, $"/admin/receipts/{p.Id}") : "/admin/billing/payments")).ToList();
    }

    private static async Task<List<SearchHit>> RepairAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var rows = await (from r in db.Repairs
                          where r.Id == id
                          join c in db.RepairCategories on r.CategoryId equals c.Id
                          join e in db.Estates on r.EstateId equals e.Id
                          select new { r.Id, r.Status, r.Description, r.CreatedAt, Category = c.Name, Estate = e.Name }).ToListAsync(ct);
        return rows.Select(r => new SearchHit($"报修 {r.Id} · {r.Category}",
            $"{r.Estate} · {StatusTexts.Of(r.Status)} · {r.CreatedAt.Show()} · {r.Description.Clip(40)}",
            string.Create(CultureInfo.InvariantCulture, $"/admin/repairs?repair={r.Id}"))).ToList();
    }
}
