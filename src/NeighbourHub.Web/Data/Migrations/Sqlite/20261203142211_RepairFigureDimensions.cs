using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// The repair day figures gain a dimension (estate, building, assignee) and its member, in the key. The figures are
    /// derived from the repairs, so the table is made anew rather than altered (on MariaDB its key is also the index the
    /// estate's foreign key needs, which cannot be dropped in place): empty, it is recounted by the start-up's backfill
    /// (RepairDayFigures.BackfillAsync), as after the migration that added it.
    /// </summary>
    public partial class RepairFigureDimensions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(name: "RepairDayFigures");

            migrationBuilder.CreateTable(
                name: "RepairDayFigures",
                columns: table => new
                {
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Dimension = table.Column<byte>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    MemberId = table.Column<long>(type: "INTEGER", nullable: false),
                    Reported = table.Column<int>(type: "INTEGER", nullable: false),
                    Handled = table.Column<int>(type: "INTEGER", nullable: false),
                    OnTime = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolveSeconds = table.Column<long>(type: "INTEGER", nullable: false),
                    Reopened = table.Column<int>(type: "INTEGER", nullable: false),
                    Rated = table.Column<int>(type: "INTEGER", nullable: false),
                    Stars = table.Column<long>(type: "INTEGER", nullable: false),
                    Closed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RepairDayFigures", x => new { x.EstateId, x.Dimension, x.Day, x.MemberId });
                    table.ForeignKey(
                        name: "FK_RepairDayFigures_Estates_EstateId",
                        column: x => x.EstateId,
                        principalTable: "Estates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(name: "RepairDayFigures");

            migrationBuilder.CreateTable(
                name: "RepairDayFigures",
                columns: table => new
                {
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Reported = table.Column<int>(type: "INTEGER", nullable: false),
                    Handled = table.Column<int>(type: "INTEGER", nullable: false),
                    OnTime = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolveSeconds = table.Column<long>(type: "INTEGER", nullable: false),
                    Reopened = table.Column<int>(type: "INTEGER", nullable: false),
                    Rated = table.Column<int>(type: "INTEGER", nullable: false),
                    Stars = table.Column<long>(type: "INTEGER", nullable: false),
                    Closed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RepairDayFigures", x => new { x.EstateId, x.Day });
                    table.ForeignKey(
                        name: "FK_RepairDayFigures_Estates_EstateId",
                        column: x => x.EstateId,
                        principalTable: "Estates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });
        }
    }
}
