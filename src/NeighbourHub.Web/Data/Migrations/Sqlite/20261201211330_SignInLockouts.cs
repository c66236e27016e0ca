using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SignInLockouts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AdminLoginLockouts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ClientAddress = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    Failures = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstFailureAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AdminLoginLockouts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AdminLoginLockouts_UserName_ClientAddress",
                table: "AdminLoginLockouts",
                columns: new[] { "UserName", "ClientAddress" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AdminLoginLockouts");
        }
    }
}
