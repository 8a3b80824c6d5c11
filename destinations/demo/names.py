"""Given and family names for synthetic people, drawn from the many backgrounds of English classrooms.

Apostrophes, hyphens and accents are included on purpose: real registers have them, and
demo data is where a page that mangles "O'Brien" or "Zoë" should first be noticed.
"""

BOYS_NAMES = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie",
    "Jacob", "Thomas", "Henry", "William", "Freddie", "Alfie", "Archie", "Theo", "Joshua", "James",
    "Ethan", "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Logan", "Lucas", "Daniel",
    "Dylan", "Harrison", "Mason", "Jayden", "Tyler", "Riley", "Finley", "Reuben", "Ryan", "Adam",
    "Callum", "Kieran", "Liam", "Connor", "Kai", "Jamie", "Ben", "Lewis", "Aaron", "Nathan",
    "Owen", "Rhys", "Dafydd", "Euan", "Cameron", "Ibrahim", "Yusuf", "Ayaan", "Zain", "Hamza",
    "Ali", "Omar", "Bilal", "Arjun", "Rohan", "Aarav", "Krish", "Dev", "Gurpreet", "Jaskaran",
    "Sukhdeep", "Kwame", "Kofi", "Tobi", "Oluwaseun", "Chidi", "Emeka", "Tunde", "Abdi", "Mohamed",
    "Mustafa", "Jakub", "Kacper", "Szymon", "Filip", "Mateusz", "Luca", "Matteo", "Andrei", "Darius",
    "Stefan", "Rayan", "Elijah", "Malachi", "Isaiah", "Tomás", "Cian", "Seán", "Oisín", "Wei",
    "Jun", "Minh", "Hao", "Rory", "Fraser", "Hamish", "Declan", "Patrick", "Michael", "Christopher",
    "Jordan", "Kyle", "Bradley", "Jake", "Luke", "Louis", "Toby", "Sebastian", "Felix", "Hugo",
    "Rafael", "Zachary", "Caleb", "Ezra", "Jude", "Elliot", "Ronnie", "Tommy", "Frankie", "Teddy",
    "Bobby", "Stanley", "Reggie", "Albie", "Jenson", "Ollie", "Dexter", "Ashton", "Corey", "Shane",
    "Marcus", "Tyrone", "Jermaine", "Nathaniel", "Emmanuel", "Samir", "Idris", "Tariq", "Imran", "Faisal",
)  # fmt: skip

GIRLS_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Willow", "Emily", "Ella", "Poppy", "Evie", "Charlotte", "Sienna", "Daisy",
    "Phoebe", "Millie", "Ruby", "Jessica", "Chloe", "Lucy", "Holly", "Megan", "Amy", "Hannah",
    "Katie", "Lauren", "Bethany", "Caitlin", "Niamh", "Siobhan", "Aoife", "Ciara", "Saoirse", "Eilidh",
    "Catrin", "Seren", "Ffion", "Cerys", "Nia", "Aisha", "Fatima", "Maryam", "Zara", "Hafsa",
    "Khadija", "Amira", "Layla", "Noor", "Inaya", "Anaya", "Priya", "Simran", "Jasleen", "Harleen",
    "Navpreet", "Anjali", "Diya", "Riya", "Ishani", "Tanvi", "Ama", "Abena", "Adaeze", "Chiamaka",
    "Folake", "Temitope", "Ayomide", "Blessing", "Precious", "Hodan", "Hibo", "Ayan", "Zofia", "Julia",
    "Zuzanna", "Maja", "Oliwia", "Alicja", "Ioana", "Andreea", "Elena", "Sofia", "Giulia", "Chiara",
    "Mei", "Lin", "Anh", "Linh", "Keisha", "Tia", "Shanice", "Jade", "Leah", "Courtney",
    "Kayleigh", "Paige", "Jasmine", "Nadia", "Yasmin", "Sana", "Esme", "Matilda", "Florence", "Harriet",
    "Imogen", "Eleanor", "Alice", "Georgia", "Molly", "Scarlett", "Maisie", "Erin", "Abigail", "Rebecca",
    "Sarah", "Natalie", "Chantelle", "Demi", "Kacey", "Zoë", "Chloé", "Renée", "Mariam", "Sumaya",
    "Tilly", "Lottie", "Orla", "Nell", "Bella", "Hallie", "Ada", "Elsie", "Beatrice", "Aurora",
)  # fmt: skip

FAMILY_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
    "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
    "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
    "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy",
    "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
    "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali",
    "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
    "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart",
    "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West",
    "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien",
    "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees",
    "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe",
    "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland",
    "Hawkins", "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
    "Gardner", "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop",
    "Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls",
    "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor",
    "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers", "O'Neill", "Griffin", "Sharp", "Hardy",
    "Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle", "Wallace", "George", "Jordan", "Hutchinson",
    "Rahman", "Akhtar", "Mahmood", "Iqbal", "Chaudhry", "Mistry", "Parmar", "Chauhan", "Sharma", "Nguyen",
    "Chen", "Wang", "Li", "Zhang", "Wong", "Okafor", "Adeyemi", "Okonkwo", "Mensah", "Owusu",
    "Boateng", "Asante", "Mohamed", "Abdi", "Hassan", "Ibrahim", "Osman", "Yusuf", "Nowak", "Kowalski",
    "Wiśniewski", "Kamiński", "Lewandowski", "Popescu", "Ionescu", "Horvat", "Silva", "Santos", "Ferreira",
    "Costa", "Rossi", "Russo", "Kaya", "Yılmaz", "Demir", "Papadopoulos", "O'Sullivan", "MacLeod", "Fraser",
    "Jones-Evans", "Brown-Smith", "Ashworth-Clarke", "Da Silva", "Van der Merwe", "St John", "Ó Briain",
    "Baptiste", "Joseph", "Francois", "Campbell-Reid", "Mahmoud", "Farah", "Warsame", "Kiani", "Bhatti",
)  # fmt: skip
