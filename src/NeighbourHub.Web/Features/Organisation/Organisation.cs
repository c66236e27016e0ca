using System.Linq.Expressions;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Organisation;

// The organisation tree: Street 街道 → Community 社区 → Estate 小区 → Building 楼栋 → Unit 单元 → Household 户.
// Rows below Estate carry EstateId so that the tenancy filter is one column comparison at every level.

public sealed class Street
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string District { get; set; } = "";
}

public sealed class Community
{
    public long Id { get; set; }
    public long StreetId { get; set; }
    /// <remarks>Set when created; nothing renames it. Residents' notice views keep it per notice (NoticeQueries):
    /// a rename would have to empty that.</remarks>
    public required string Name { get; set; }
}

public sealed class Estate
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    /// <remarks>Set when created; nothing renames it. Residents' notice views keep it per notice (NoticeQueries):
    /// a rename would have to empty that.</remarks>
    public required string Name { get; set; }
    public string Address { get; set; } = "";
}

public sealed class Building : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    /// <summary>As residents say it, e.g. "3栋".</summary>
    /// <remarks>Set when created; nothing renames it. Residents' notice views keep it per notice (NoticeQueries):
    /// a rename would have to empty that.</remarks>
    public required string Name { get; set; }
}

public sealed class Unit : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public long BuildingId { get; set; }
    /// <summary>e.g. "1单元".</summary>
    public required string Name { get; set; }
}

public sealed class Household : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public long BuildingId { get; set; }
    public long UnitId { get; set; }
    /// <summary>Room number as on the door, e.g. "1502".</summary>
    public required string Room { get; set; }
    /// <summary>Registered floor area (建筑面积) in m², two decimals; it is the vote weight and the fee base.</summary>
    public decimal AreaM2 { get; set; }
    /// <summary>
    /// Still held by the developer (建设单位: unsold, or sold but not delivered). All such flats of an estate vote as one
    /// owner in owners' votes (art. 9 of the SPC interpretation on 建筑物区分所有权); set by import and in the console.
    /// </summary>
    public bool HeldByDeveloper { get; set; }
}

/// <summary>A property-management company (物业公司).</summary>
public sealed class PropertyFirm
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string ContactPhone { get; set; } = "";
}

/// <summary>A firm serving an estate from a date (接管日期) until an optional end date.</summary>
public sealed class EstateFirmContract : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public long PropertyFirmId { get; set; }
    public DateOnly From { get; set; }
    public DateOnly? To { get; set; }

    /// <summary>"The firm serving this estate on the day": from its 接管 date through its end date, if any.</summary>
    private static readonly Expression<Func<EstateFirmContract, DateOnly, bool>> Serves =
        (c, day) => c.From <= day && (c.To == null || c.To >= day);

    private static readonly Func<EstateFirmContract, DateOnly, bool> ServesInMemory = Serves.Compile();

    /// <summary>The contracts in force on the day, for queries (firms see the estates they serve today).</summary>
    public static Expression<Func<EstateFirmContract, bool>> ActiveOn(DateOnly day) => Serves.With(day);

    public bool IsActiveOn(DateOnly day) => ServesInMemory(this, day);
}

/// <summary>A grid (网格) of a community; it covers buildings, possibly of several small estates.</summary>
public sealed class Grid : ICommunityOwned
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public required string Name { get; set; }
}

public sealed class GridBuilding
{
    public long GridId { get; set; }
    public long BuildingId { get; set; }
}
